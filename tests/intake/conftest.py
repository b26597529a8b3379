from __future__ import annotations

from pathlib import Path

import pytest

from candour.intake import import_workforce
from candour.store import Actor, Store

AGENCIES = "code,name,kind\nSDP,South District Police,police\nEDU,Education,education\n"
USERS = (
    "identifier,name,rank,role,agency,unit,supervisor\n"
    "SDP2,Kai Nowak,PS,supervisor,SDP,CID,\n"
    "SDP1,Sam Okafor,PC,officer,SDP,CID,SDP2\n"
)


@pytest.fixture
def workforce(store: Store, tmp_path: Path) -> Store:
    (tmp_path / "agencies.csv").write_text(AGENCIES)
    (tmp_path / "users.csv").write_text(USERS)
    import_workforce(store, tmp_path / "agencies.csv", tmp_path / "users.csv", Actor.system())
    return store
