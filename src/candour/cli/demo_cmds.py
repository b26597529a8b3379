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
) -> None:
    """Generate a district, ingest it into a fresh store, sign and verify the ledger, show it."""
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
