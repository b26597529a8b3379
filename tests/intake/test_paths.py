"""Intake never follows a link out of a folder, never opens a device, FIFO or socket, and never
reads Candour's own data directory; each refusal is quarantined with one line, and the good
files beside it are ingested."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from candour.app import Candour
from candour.settings import Settings
from candour.store import Store

RECORD = {"schema": "candour.record/1", "kind": "intelligence", "ref": "INT/1",
          "received_at": "2024-01-02T10:00:00Z", "text": "Synthetic note."}  # fmt: skip


@pytest.fixture
def app(store: Store, settings: Settings):  # type: ignore[no-untyped-def]
    a = Candour(settings)
    yield a
    a.close()


def _admin(app: Candour):  # type: ignore[no-untyped-def]
    return app.identity.sign_in("admin", "correct horse battery staple").actor


def test_links_specials_and_the_data_home_are_refused_one_line_each(
    app: Candour, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "good.jsonl").write_text(json.dumps(RECORD) + "\n")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    key = settings.effective_key_file
    assert key.exists()
    (folder / "key.txt").symlink_to(key)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    summary = app.pipeline.ingest(_admin(app), [folder], None, None)
    assert summary.ingested == 1 and summary.quarantined == 4
    items = app.pipeline.quarantine(_admin(app))
    reasons = {Path(i.source).name: i.message for i in items}
    assert reasons["passwd.txt"] == reasons["key.txt"] == reasons["gone.txt"]
    assert "symbolic link" in reasons["key.txt"] and "regular file" in reasons["pipe.txt"]
    assert all(i.raw == b"" for i in items)  # nothing refused was read


def test_a_device_or_the_home_given_directly_is_refused(app: Candour, settings: Settings) -> None:
    summary = app.pipeline.ingest(_admin(app), [Path("/dev/zero"), settings.home], None, None)
    assert summary.ingested == 0 and summary.quarantined == 2
    messages = sorted(i.message for i in app.pipeline.quarantine(_admin(app)))
    assert "data directory" in messages[0] and "regular file" in messages[1]
