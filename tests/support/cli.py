"""Running the CLI as a signed-in user, the way a person does (`candour login` first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from candour.cli import app

runner = CliRunner()
ADMIN_PASSWORD = "synthetic-test-password"
NO_SIGN_IN = {"init", "login", "synth", "demo", "db", "restore", "--help", "--version"}
_passwords: dict[tuple[str, str, str], str] = {}


def env_for(home: Path, db: str, user: str = "admin") -> dict[str, str]:
    return {
        "CANDOUR_HOME": str(home),
        "CANDOUR_DATABASE_URL": db,
        "CANDOUR_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CANDOUR_TOKEN_FILE": str(home.parent / "tokens" / f"{user}.token"),
    }


def password_of(home: Path, db: str, user: str) -> str:
    """A password for an imported user (they have none): reset by the administrator."""
    if user == "admin":
        return ADMIN_PASSWORD
    key = (str(home), db, user)
    if key not in _passwords:
        r = invoke(home, db, "users", "reset", user)
        assert r.exit_code == 0, r.output
        _passwords[key] = r.output.strip().split()[-1]
    return _passwords[key]


def invoke(home: Path, db: str, *args: str, user: str = "admin", **kw: Any) -> Any:
    """`candour ARGS` as `user`, signing in first when there is no token yet."""
    env = env_for(home, db, user)
    token = Path(env["CANDOUR_TOKEN_FILE"])
    if args and args[0] not in NO_SIGN_IN and not token.exists():
        password = password_of(home, db, user) if user == "admin" or _ready(home, db) else ""
        # If signing in fails (no store yet, say), the command itself says why.
        runner.invoke(app, ["login", "--user", user], env={**env, "CANDOUR_PASSWORD": password})
    return runner.invoke(app, list(args), env=env, **kw)


def _ready(home: Path, db: str) -> bool:
    token = Path(env_for(home, db)["CANDOUR_TOKEN_FILE"])
    return (
        token.exists()
        or runner.invoke(
            app,
            ["login", "--user", "admin"],
            env={**env_for(home, db), "CANDOUR_PASSWORD": ADMIN_PASSWORD},
        ).exit_code
        == 0
    )
