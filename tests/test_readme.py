"""The README's "Using it" block runs, as written, on the demo store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _tested_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- tested: runs on the demo store -->", 1)[1]
    body = re.search(r"```sh\n(.*?)```", block, re.S)
    assert body is not None
    return [ln for ln in body.group(1).splitlines() if ln.strip()]


@pytest.mark.slow
def test_using_it_runs_on_the_demo_store(tmp_path: Path) -> None:
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    env.pop("CANDOUR_HOME", None)
    env.pop("CANDOUR_DURABILITY", None)  # a reader's machine: the default, full
    env.pop("CANDOUR_TOKEN_FILE", None)
    lines = _tested_block()
    assert lines[0].startswith("make demo")
    subprocess.run(["candour", "demo", "--dir", "demo-district"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)  # fmt: skip
    script = "set -euo pipefail\n" + "\n".join(lines[1:]) + "\n"
    out = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    assert "signed in as SDP1004" in out.stdout and "ledger intact" in out.stdout
    assert "break-glass read: flagged for review" in out.stdout
    assert "SDP1009" in out.stdout.split("Break-glass reads")[1]
    assert (tmp_path / "demo-district" / "cp.txt").read_text().startswith("candour.example.org")
    _private(tmp_path / "demo-district" / ".candour")
    _private(tmp_path / "demo-district" / "sign-ins")


def _private(home: Path) -> None:
    """Every file a whole run leaves under the data home is 0600, every folder 0700."""
    import stat

    seen = 0
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (
            path.relative_to(home.parent),
            oct(mode),
        )
        seen += 1
    assert seen > 3
