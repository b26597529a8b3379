"""Docs that are tested: every setting is documented, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from candour.settings import Settings

ROOT = Path(__file__).parent.parent


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text()
    for name in Settings.model_fields:
        assert f"`{name}`" in doc, name
        assert f"CANDOUR_{name.upper()}" in doc, name


def test_readme_names_two_commands_that_the_makefile_has() -> None:
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_lock_file_pins_every_declared_dependency() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = {
        re.split(r"==", line)[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    for dep in declared:
        name = re.split(r"[<>=!\[ ;]", dep, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not in requirements.lock: run 'make lock'"
