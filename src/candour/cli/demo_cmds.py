"""`candour demo`: the whole pipeline on a synthetic district, on the embedded default."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from candour.cli.context import console


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    root: Path = typer.Option(Path("demo-district"), "--dir", help="Working folder (replaced)."),
    seed: int = typer.Option(7, "--seed"),
    scale: str = typer.Option("small", "--scale", help="small | medium | large"),
    serve: bool = typer.Option(
        False, "--serve/--no-serve", help="Then serve the web app on it (`make demo` does)."
    ),
    keep: bool = typer.Option(False, "--keep", help="Serve an existing demo as it is."),
    host: str = typer.Option("127.0.0.1", "--host", help="With --serve: address."),
    port: int = typer.Option(8000, "--port", help="With --serve: port."),
) -> None:
    """Generate a district, ingest it into a fresh store, sign and verify the ledger, show it."""
    home = root / ".candour"
    if serve and home.exists() and not keep:
        keep = _keep_existing(root)
    if keep:
        if not home.exists():
            raise typer.BadParameter(f"no demo in {root} to keep", param_hint="--keep")
        _serve(root, _kept_sign_ins(root), host, port)
        return
    sign_ins = _build(root, seed, scale)
    if serve:
        _serve(root, sign_ins, host, port)


def _keep_existing(root: Path) -> bool:
    """Asked at a terminal before a demo store is replaced; elsewhere it is replaced."""
    import sys

    if not sys.stdin.isatty():
        console.print(f"Replacing the demo in {root} (`candour demo --serve --keep` keeps it).")
        return False
    return not typer.confirm(
        f"A demo store exists in {root}. Replace it with a new one? (No serves it as it is)",
        default=False,
    )


def _kept_sign_ins(root: Path) -> list[tuple[str, str, str, str]]:
    folder = root / "sign-ins"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return [("", f.name, "", f.read_text().strip()) for f in files]


def _serve(root: Path, sign_ins: list[tuple[str, str, str, str]], host: str, port: int) -> None:
    from candour.app import Candour
    from candour.cli.web_cmds import run
    from candour.settings import Settings

    table = Table("role", "sign in as", "password", title="Sign in to the web app with")
    for role, ident, _, password in sign_ins:
        table.add_row(role, ident, password)
    console.print(table)
    app = Candour(Settings(home=root / ".candour"))
    try:
        app.store()
        run(app, host, port)
    finally:
        app.close()


def _build(root: Path, seed: int, scale: str) -> list[tuple[str, str, str, str]]:
    from candour.demo import run_demo

    console.print(
        Panel.fit("Candour demonstration: a synthetic district, end to end", style="bold")
    )
    result = run_demo(
        root,
        seed=seed,
        scale=scale,
        say=lambda name, detail: console.print(f"[bold green]✓ {name}[/]: {detail}"),
    )
    f = result.facts
    console.print()
    console.print(
        Panel.fit(
            f"{f['sexual_offence_disclosures']:,} reports disclosed sexual offences "
            "against children.\n"
            f"[bold red]{f['never_decided']:,}[/] never received a crime-recording decision; "
            f"[bold red]{f['not_recorded']:,}[/] were decided 'not recorded'.",
            title="Crime-recording integrity",
            border_style="red",
        )
    )
    need = f["demand"]
    total_v, total_h = need.totals
    table = Table(
        "offence group",
        "share of volume",
        "share of harm",
        title="Demand: what volume hides and harm shows",
    )
    for cat in need.categories:
        vs, hs = cat.shares(total_v, total_h)
        table.add_row(cat.group, f"{vs:.1%}", f"{hs:.1%}")
    console.print(table)
    if "example_record" in f:
        table = Table(
            "time",
            "user",
            "rank",
            "action",
            "event",
            title=f"Who knew about {f['example_record']} ({f['example_reason']})",
        )
        for row in f["example_who_knew"]:
            table.add_row(
                row["time"][:16],
                f"{row['name']} ({row['user']})",
                row["rank"] or "",
                row["action"],
                str(row["event"]),
            )
        console.print(table)
    if f.get("networks"):
        table = Table(
            "first met", "person", "children", "records", "to",
            title="Adults named with three or more children: when the rule would have fired",
        )  # fmt: skip
        for row in f["networks"][:8]:
            table.add_row(row["first_met"], f"{row['name']} ({row['person']})",
                          str(row["children"]), str(row["records"]), row["rank"])  # fmt: skip
        console.print(table)
    table = Table(
        "role", "sign in as", "rank", "password", title="Demo sign-ins (synthetic data only)"
    )
    for role, ident, rank, password in result.sign_ins:
        table.add_row(role, ident, rank, password)
    console.print(table)
    home = root / ".candour"
    console.print(
        f"\nExplore: [bold]export CANDOUR_HOME={home}[/], `candour login --user ID`, then "
        "`candour status`, `candour ledger verify`, `candour who-knew RECORD --purpose WHY`, "
        "`candour graph communities --purpose WHY`, `candour link explain PERSON --purpose WHY`, "
        "`candour report language`."
    )
    return result.sign_ins
