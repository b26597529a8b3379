"""`candour login / logout / passwd / whoami`, `candour users ...`, `candour access ...`."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import console, ctx_obj, err_console, safe, signed_in, writable_file
from candour.errors import CodeNeeded, ConfigError

users_app = typer.Typer(help="Agencies, users and service accounts.", no_args_is_help=True)
access_app = typer.Typer(
    help="Need-to-know: break-glass reviews, ethical walls, jurisdiction.", no_args_is_help=True
)
wall_app = typer.Typer(help="Ethical walls on records.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("passwd")(passwd)
    app.command("whoami")(whoami)
    app.add_typer(users_app, name="users")
    app.add_typer(access_app, name="access")
    access_app.add_typer(wall_app, name="wall")


def _secret(path: Path | None, env: str, prompt: str) -> str:
    if path is not None:
        try:
            text = path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
        if not text:
            raise ConfigError(f"{path}: empty")
        return text
    if os.environ.get(env):
        return os.environ[env]
    return str(typer.prompt(prompt, hide_input=True, err=True))


def login(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", "-u", prompt=True, help="Your identifier."),
    password_file: Path | None = typer.Option(None, "--password-file", help="Read it here."),
    code: str | None = typer.Option(
        None,
        "--code",
        help="The current 6-digit code from your authenticator app (asked for when your "
        "account has a second factor and none is given).",
    ),
) -> None:
    """Sign in: the session token is kept in a file only you can read (mode 0600)."""
    c = ctx_obj(ctx)
    password = _secret(password_file, "CANDOUR_PASSWORD", "Password")
    try:
        signed = c.app.identity.sign_in(user, password, kind="cli", code=code)
    except CodeNeeded:
        if code is not None:
            raise
        code = str(typer.prompt("Code from your authenticator app", err=True))
        signed = c.app.identity.sign_in(user, password, kind="cli", code=code)
    path = c.keep_token(signed.token)
    console.print(
        f"signed in as {signed.actor.identifier} ({signed.actor.rank}, {signed.actor.role}) "
        f"until {signed.expires_at:%Y-%m-%d %H:%M} UTC; token kept in {path}"
    )


def logout(
    ctx: typer.Context,
    everywhere: bool = typer.Option(False, "--everywhere", help="End all your sessions."),
) -> None:
    """Sign out: the token is revoked in the store and removed from disk."""
    c = ctx_obj(ctx)
    n = c.app.identity.sign_out(c.token(), everywhere=everywhere)
    c.forget_token()
    console.print(f"signed out ({n} session{'s' if n != 1 else ''} ended)")


def passwd(ctx: typer.Context) -> None:
    """Change your password; every session of yours ends (sign in again)."""
    c = ctx_obj(ctx)
    old = str(typer.prompt("Current password", hide_input=True, err=True))
    new = str(typer.prompt("New password", hide_input=True, confirmation_prompt=True, err=True))
    c.app.identity.change_password(c.token(), old, new)
    c.forget_token()
    console.print("password changed; all your sessions have ended: run 'candour login'")


def whoami(ctx: typer.Context) -> None:
    """Who you are signed in as."""
    _, actor = signed_in(ctx)
    console.print(f"{actor.identifier} ({actor.rank}, {actor.role}, unit {actor.unit or '-'})")


@users_app.command("import")
def users_import(
    ctx: typer.Context,
    agencies: Path | None = typer.Option(None, "--agencies", help="CSV: code,name,kind"),
    users: Path | None = typer.Option(
        None, "--users", help="CSV: identifier,name,rank,role,agency,unit,supervisor"
    ),
) -> None:
    """Import agencies and users (re-runnable; existing ones are left as they are). Imported
    users have no password until an administrator resets it."""
    app, actor = signed_in(ctx)
    s = app.admin.import_workforce(actor, agencies, users)
    console.print(f"agencies {s.agencies}  users {s.users}  already present {s.already_present}")


@users_app.command("create")
def users_create(
    ctx: typer.Context,
    identifier: str = typer.Argument(...),
    name: str = typer.Option(..., "--name"),
    rank: str = typer.Option(..., "--rank"),
    role: str = typer.Option(..., "--role"),
    agency: str | None = typer.Option(None, "--agency", help="Agency code."),
    unit: str | None = typer.Option(None, "--unit"),
    supervisor: str | None = typer.Option(None, "--supervisor", help="Supervisor's identifier."),
) -> None:
    """Create an account; its first password is shown once."""
    from candour.store.people import NewUser

    app, actor = signed_in(ctx)
    new = NewUser(
        identifier,
        name,
        rank,
        role,
        app.admin.agency_id(agency),
        unit,
        app.admin.user_id(supervisor),
    )
    password = app.admin.create_user(actor, new)
    console.print(f"created {identifier}; first password (shown once): {password}")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Every account, with rank, role, agency, unit and whether it is active."""
    app, actor = signed_in(ctx)
    table = Table("user", "name", "rank", "role", "agency", "unit", "active")
    for a in app.admin.users(actor):
        table.add_row(
            a.identifier,
            a.name,
            a.rank,
            a.role,
            a.agency or "",
            a.unit or "",
            "yes" if a.active else "no",
        )
    console.print(table)


@users_app.command("disable")
def users_disable(ctx: typer.Context, identifier: str = typer.Argument(...)) -> None:
    """Disable an account: its sessions end at once."""
    app, actor = signed_in(ctx)
    n = app.admin.set_active(actor, identifier, False)
    console.print(f"{identifier} disabled; {n} session(s) ended")


@users_app.command("enable")
def users_enable(ctx: typer.Context, identifier: str = typer.Argument(...)) -> None:
    app, actor = signed_in(ctx)
    app.admin.set_active(actor, identifier, True)
    console.print(f"{identifier} enabled")


@users_app.command("reset")
def users_reset(ctx: typer.Context, identifier: str = typer.Argument(...)) -> None:
    """A new random password for a user, shown once; their sessions end."""
    app, actor = signed_in(ctx)
    password = app.admin.reset_password(actor, identifier)
    console.print(f"new password for {identifier} (shown once): {password}")


@users_app.command("totp-reset")
def users_totp_reset(ctx: typer.Context, identifier: str = typer.Argument(...)) -> None:
    """End a user's second factor (a lost or stolen device): their sessions end, and they sign
    in with the password alone until they set up a new one (a ledger event)."""
    app, actor = signed_in(ctx)
    if app.identity.reset_second_factor(actor, identifier):
        console.print(f"second factor of {safe(identifier)} reset; their sessions have ended")
    else:
        console.print(f"{safe(identifier)} had no second factor; their sessions have ended")


@users_app.command("rank")
def users_rank(
    ctx: typer.Context, identifier: str = typer.Argument(...), rank: str = typer.Argument(...)
) -> None:
    """A promotion or change of rank (who-knew shows the rank held at each event)."""
    app, actor = signed_in(ctx)
    app.admin.change_rank(actor, identifier, rank)
    console.print(f"{identifier} is now {rank}")


@users_app.command("transfer")
def users_transfer(
    ctx: typer.Context,
    identifier: str = typer.Argument(...),
    agency: str | None = typer.Option(None, "--agency", help="Agency code (none: no agency)."),
    unit: str | None = typer.Option(None, "--unit"),
) -> None:
    """Move a user to another agency or unit; need-to-know follows at their next read."""
    app, actor = signed_in(ctx)
    app.admin.transfer(actor, identifier, agency, unit)
    console.print(f"{identifier} moved to {agency or '-'} / {unit or '-'}")


@users_app.command("service-token")
def users_service_token(
    ctx: typer.Context,
    identifier: str = typer.Argument(..., help="Service account (created if new)."),
    out: Path = typer.Option(..., "--out", help="Token file to write (mode 0600)."),
) -> None:
    """A token for batch work (ingest, extract, link, rules): run them with
    CANDOUR_TOKEN_FILE=OUT and every write is attributed to the service account."""
    writable_file(out)
    app, actor = signed_in(ctx)
    token = app.admin.service_token(actor, identifier)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.chmod(out, 0o600)
    err_console.print(f"token for {identifier} written to {out}")


@access_app.command("reviews")
def access_reviews(
    ctx: typer.Context, all_reads: bool = typer.Option(False, "--all", help="Include reviewed.")
) -> None:
    """Break-glass reads awaiting review by an auditor or data-protection officer."""
    app, actor = signed_in(ctx)
    rows = app.admin.reviews(actor, pending_only=not all_reads)
    table = Table(
        "event",
        "time",
        "user",
        "rank",
        "record",
        "reason",
        "outcome",
        title=f"Break-glass reads ({len(rows)})",
    )
    for r in rows:
        table.add_row(
            str(r.event),
            f"{r.at:%Y-%m-%d %H:%M}",
            r.user,
            r.rank or "",
            r.record or "",
            safe(r.reason),
            r.outcome or "pending",
        )
    console.print(table)


@access_app.command("review")
def access_review(
    ctx: typer.Context,
    event: int = typer.Argument(..., help="The read's event index (from 'access reviews')."),
    outcome: str = typer.Option(..., "--outcome", help="justified | not_justified | referred"),
    note: str = typer.Option(..., "--note", help="What you found (kept in the ledger)."),
) -> None:
    """Mark one break-glass read reviewed, with an outcome."""
    app, actor = signed_in(ctx)
    app.admin.review(actor, event, outcome, note)
    console.print(f"break-glass read {event} reviewed: {outcome}")


@wall_app.command("add")
def wall_add(
    ctx: typer.Context,
    record: str = typer.Argument(...),
    agency: str = typer.Option(..., "--agency", help="The agency whose users are walled out."),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Hide a record from every user of an agency, whatever their rank (break-glass does not
    cross it)."""
    app, actor = signed_in(ctx)
    wall = app.admin.add_wall(actor, record, agency, reason)
    console.print(f"wall {wall} raised")


@wall_app.command("lift")
def wall_lift(
    ctx: typer.Context, wall: int = typer.Argument(...), reason: str = typer.Option(..., "--reason")
) -> None:
    app, actor = signed_in(ctx)
    app.admin.lift_wall(actor, wall, reason)
    console.print(f"wall {wall} lifted")


@wall_app.command("grant")
def wall_grant(
    ctx: typer.Context,
    wall: int = typer.Argument(...),
    user: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """The wall's owner lets one user of the walled agency through."""
    app, actor = signed_in(ctx)
    app.admin.grant(actor, wall, user, reason)
    console.print(f"{user} may pass wall {wall}")


@access_app.command("jurisdiction")
def access_jurisdiction(
    ctx: typer.Context,
    body: str = typer.Argument(..., help="Oversight body's agency code."),
    agency: str = typer.Argument(..., help="Agency it oversees."),
) -> None:
    """Give an oversight body's staff need-to-know over an agency's records."""
    app, actor = signed_in(ctx)
    added = app.admin.add_jurisdiction(actor, body, agency)
    console.print(f"{body} oversees {agency}" + ("" if added else " (already)"))
