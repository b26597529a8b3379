"""`candour graph person / path / communities / export`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import acting, console, ctx_obj
from candour.cli.rules_cmds import AS

graph_app = typer.Typer(help="The network of persons, records, vehicles and phones.",
                        no_args_is_help=True)  # fmt: skip
PURPOSE = typer.Option(..., "--purpose", help="Why you are looking (kept in the ledger).")


def register(app: typer.Typer) -> None:
    app.add_typer(graph_app, name="graph")


@graph_app.command("person")
def person(
    ctx: typer.Context, person_id: str = typer.Argument(..., metavar="PERSON"),
    purpose: str = PURPOSE, as_user: str | None = AS,
) -> None:  # fmt: skip
    """A person's records and who and what shares them."""
    from candour import graph

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        g = graph.build(session)
        recs, near = graph.neighbourhood(g, person_id)
        graph.log_reads(session, g, recs, actor, purpose)
    roles = graph.roles_of(g, f"P:{person_id}")
    console.print(
        f"{person_id} {g.nodes[f'P:{person_id}']['label']}: named in {len(recs)} records ("
        + ", ".join(f"{k} {v}" for k, v in roles.most_common())
        + ")"
    )
    table = Table("type", "who or what", "records in common")
    for n in near[:40]:
        table.add_row(n.type, f"{n.node[2:]} {n.label}" if n.type == "person" else n.label,
                      str(n.via))  # fmt: skip
    console.print(table)


@graph_app.command("path")
def path(
    ctx: typer.Context, a: str = typer.Argument(...), b: str = typer.Argument(...),
    purpose: str = PURPOSE, as_user: str | None = AS,
) -> None:  # fmt: skip
    """How two people are connected, and through which records."""
    from candour import graph

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        g = graph.build(session)
        steps = graph.path(g, a, b)
        graph.log_reads(session, g, steps, actor, purpose)
    for n in steps:
        d = g.nodes[n]
        if d["type"] == "record":
            console.print(f"  record {n[2:]} ({d['kind']}, {d['received'][:10]})")
        else:
            console.print(f"{d['type']} {n[2:]} {d.get('label', '')}")


@graph_app.command("communities")
def communities(
    ctx: typer.Context, top: int = typer.Option(10, "--top"), as_user: str | None = AS,
) -> None:  # fmt: skip
    """Networks (Louvain), most children first, with likely organisers (betweenness)."""
    from candour import graph

    c = ctx_obj(ctx)
    with c.store().reading() as session:
        g = graph.build(session)
    found = graph.communities(g)
    table = Table("network", "people", "children", "adults named as suspect or associate",
                  "likely organisers (betweenness)")  # fmt: skip
    for i, com in enumerate(found[:top], 1):
        org = ", ".join(f"{n[2:]} {g.nodes[n]['label']} ({b:.2f})" for n, b in com.organisers)
        table.add_row(str(i), str(len(com.members)), str(com.children), str(com.adults), org)
    console.print(table)
    console.print(f"{len(found)} networks of two or more people")


@graph_app.command("export")
def export(
    ctx: typer.Context, out: Path = typer.Argument(..., help="FILE.graphml or FILE.gexf"),
    purpose: str = PURPOSE, as_user: str | None = AS,
) -> None:  # fmt: skip
    """Write the whole graph for Gephi or i2 (a disclosure: logged)."""
    from candour import graph
    from candour.ledger.log import EventDraft, append

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        g = graph.build(session)
        graph.export(g, str(out))
        append(session, [EventDraft("disclose", "graph", out.name, actor.id, actor.rank,
                                    purpose=purpose, payload={"nodes": g.number_of_nodes(),
                                    "edges": g.number_of_edges()})])  # fmt: skip
    console.print(f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges written to {out}")
