"""Every command, given each kind of bad argument, says so in one line and exits non-zero.

The cases are built from each command's own parameters, so a new command is swept too: a
missing path, a folder where a file is read, an existing file where a new one is written, a
file in a folder that does not exist, a date that is not one, and an id that matches nothing.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from candour.cli import app
from candour.errors import CandourError
from tests.support.cli import invoke

# Serving and generating a whole district are not argument checks.
SKIP = {("serve",), ("demo",), ("synth",)}
#: Paths a command writes as files (an existing one may be replaced, unless it must be new).
WRITES = {"out", "chart"}
#: Folders a command writes into (made if new), by command and parameter.
OUT_FOLDERS = {
    ("audit", "recording", "out"), ("report", "demand", "out"), ("report", "language", "out"),
    ("publish", "approve", "out"), ("restore", "into"), ("witness", "init", "state"),
}  # fmt: skip
#: Files that must not exist yet.
NEW_FILES = {("backup", "out")}
#: Folders a command reads.
IN_FOLDERS = {"state", "district"}
#: Inputs that may be a file or a folder.
EITHER = {("ingest", "paths")}
#: Cases that are not mistakes for this command (a service account is created if new).
FINE = {("users service-token", "unknown id")}
#: str options that take a date or time.
DATES = {"since", "before", "at", "as_of", "start", "end", "received", "opened"}
#: Prompts answered (a password, a backup passphrase and its confirmation).
ANSWERS = "synthetic-test-password\nsynthetic-test-password\n"


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


#: Exit codes the error hierarchy documents, Click's 2 for a command line it refuses, and 10
#: for an ingest that quarantined something.
EXITS = {2, 10} | {CandourError.exit_code} | {c.exit_code for c in _subclasses(CandourError)}


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    def walk(cmd: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        elif path not in SKIP:
            yield path, cmd

    yield from walk(typer.main.get_command(app), ())


def _kind(param: Any) -> str:
    annotation = param.type_descriptor.annotation
    text = str(annotation)
    if "Path" in text:
        return "paths" if typing.get_origin(annotation) is list else "path"
    if annotation is int or text == "list[int]":
        return "int"
    return "str"


def _argv(param: Any, value: str) -> list[str]:
    if type(param).__name__ == "TyperArgument":
        return [value]
    return [param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0], value]


def _role(path: tuple[str, ...], param: Any) -> str:
    """What a path parameter is to its command: out-file, new-file, out-folder, in-folder,
    either, or in-file."""
    key = (*path, param.name)
    if key in OUT_FOLDERS:
        return "out-folder"
    if key in NEW_FILES:
        return "new-file"
    if key in EITHER:
        return "either"
    if param.name in IN_FOLDERS:
        return "in-folder"
    return "out-file" if param.name in WRITES else "in-file"


def _cases(
    path: tuple[str, ...], cmd: Any, files: dict[str, Path]
) -> Iterator[tuple[str, list[str]]]:
    """(label, argv) for each bad argument this command can be given."""
    params = [p for p in cmd.params if not getattr(p, "is_flag", False)]

    def good(p: Any) -> str:
        kind = _kind(p)
        if kind in ("path", "paths"):
            role = _role(path, p)
            if role in ("out-file", "new-file", "out-folder"):
                return str(files["new"])
            return str(files["folder"] if role == "in-folder" else files["file"])
        if kind == "int":
            return "999999"
        if p.name in DATES:
            return "2020-01-01"
        return "NO-SUCH-ID"

    def line(bad: Any, value: str) -> list[str]:
        argv: list[str] = []
        for p in params:
            if p is bad:
                argv += _argv(p, value)
            elif p.required:
                argv += _argv(p, good(p))
        return argv

    positional = [p for p in params if p.required and type(p).__name__ == "TyperArgument"]
    if any(_kind(p) in ("str", "int") for p in positional):
        yield "unknown id", line(None, "")
    for p in params:
        if _kind(p) not in ("path", "paths"):
            if p.name in DATES:
                yield f"{p.name}: bad date", line(p, "2020-13-45")
            continue
        role = _role(path, p)
        if role in ("out-file", "new-file"):
            yield f"{p.name}: folder for a file", line(p, str(files["folder"]))
            yield f"{p.name}: missing folder", line(p, str(files["missing"] / "x.out"))
        if role in ("new-file", "out-folder"):
            yield f"{p.name}: existing file", line(p, str(files["file"]))
        if role in ("in-file", "in-folder", "either"):
            yield f"{p.name}: missing path", line(p, str(files["missing"]))
        if role == "in-file":
            yield f"{p.name}: folder for a file", line(p, str(files["folder"]))
        if role == "in-folder":
            yield f"{p.name}: file for a folder", line(p, str(files["file"]))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("bad-args")
    home = root / "home"
    db = f"sqlite:///{home / 'candour.db'}"
    assert invoke(home, db, "init").exit_code == 0
    folder = root / "folder"
    folder.mkdir()
    file = root / "existing.txt"
    file.write_text("not what any command expects\n")
    files = {"file": file, "folder": folder, "missing": root / "missing", "new": root / "new.out"}
    return home, db, files


PLACEHOLDERS = {"file": Path("F"), "folder": Path("D"), "missing": Path("M"), "new": Path("N")}
CASES = [
    (" ".join(path), label, argv)
    for path, cmd in _commands()
    for label, argv in _cases(path, cmd, PLACEHOLDERS)
]


def test_the_sweep_covers_every_command() -> None:
    swept = {c for c, _, _ in CASES}
    assert len(swept) >= 60 and {"ingest", "ledger checkpoint", "audit recording"} <= swept


@pytest.mark.parametrize(
    ("command", "label"), [(c, lbl) for c, lbl, _ in CASES if (c, lbl) not in FINE]
)
def test_a_bad_argument_is_one_line_and_a_documented_exit(
    home: tuple[Path, str, dict[str, Path]], command: str, label: str
) -> None:
    h, db, files = home
    path = tuple(command.split())
    cmd = dict(_commands())[path]
    files = {**files, "new": files["folder"].parent / f"new-{abs(hash((command, label)))}"}
    argv = dict(_cases(path, cmd, files))[label]
    r = invoke(h, db, *path, *argv, input=ANSWERS)
    assert r.exception is None or isinstance(r.exception, SystemExit), (command, label, r.output)
    assert "Traceback" not in r.output
    assert r.exit_code != 0, (command, label, r.output)
    assert r.exit_code in EXITS, (command, label, r.exit_code)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), (command, label, r.stderr)
