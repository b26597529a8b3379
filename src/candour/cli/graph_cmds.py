"""`candour graph person / path / communities / export`: the network the user may see."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import BREAK_GLASS, PURPOSE, console, safe, signed_in, writable_file

graph_app = typer.Typer(
    help="The network of persons, records, vehicles and phones.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(graph_app, name="graph")


@graph_app.command("person")
def person(
    ctx: typer.Context,
    person_id: str = typer.Argument(..., metavar="PERSON"),
    purpose: str = PURPOSE,
    break_glass: str | None = BREAK_GLASS,
) -> None:
    """A person's records that you may see, and who and what shares them."""
    app, actor = signed_in(ctx)
    view = app.people.person(actor, person_id, purpose, break_glass)
    console.print(
        f"{view.person} {safe(view.label)}: named in {len(view.records)} records you may see ("
        + ", ".join(f"{k} {v}" for k, v in view.roles)
        + ")"
    )
    table = Table("type", "who or what", "records in common")
    for n in view.near[:40]:
        table.add_row(
            n.type, f"{n.node[2:]} {n.label}" if n.type == "person" else n.label, str(n.via)
        )
    console.print(table)


@graph_app.command("path")
def path(
    ctx: typer.Context,
    a: str = typer.Argument(...),
    b: str = typer.Argument(...),
    purpose: str = PURPOSE,
) -> None:
    """How two people are connected, through records you may see."""
    app, actor = signed_in(ctx)
    for step in app.people.path(actor, a, b, purpose):
        if step.type == "record":
            console.print(f"  record {step.node} ({step.kind}, {(step.received or '')[:10]})")
        else:
            console.print(f"{step.type} {step.node} {safe(step.label)}")


@graph_app.command("communities")
def communities(
    ctx: typer.Context,
    top: int = typer.Option(10, "--top"),
    purpose: str = PURPOSE,
) -> None:
    """Networks (Louvain) among the records you may see, most children first, with likely
    organisers (betweenness); the records of the networks shown are logged as read."""
    app, actor = signed_in(ctx)
    found, labels, total = app.people.communities(actor, purpose, top)
    table = Table(
        "network",
        "people",
        "children",
        "adults named as suspect or associate",
        "likely organisers (betweenness)",
    )
    for i, com in enumerate(found, 1):
        org = safe(", ".join(f"{n[2:]} {labels.get(n, '')} ({b:.2f})" for n, b in com.organisers))
        table.add_row(str(i), str(len(com.members)), str(com.children), str(com.adults), org)
    console.print(table)
    console.print(f"{total} networks of two or more people")


@graph_app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="FILE.graphml or FILE.gexf"),
    purpose: str = PURPOSE,
) -> None:
    """Write the network you may see for Gephi or i2: a disclosure of every record in it,
    logged on each."""
    writable_file(out)
    app, actor = signed_in(ctx)
    nodes, edges = app.people.export(actor, out, purpose)
    console.print(f"{nodes:,} nodes, {edges:,} edges written to {out}")
