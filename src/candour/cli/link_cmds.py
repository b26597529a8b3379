"""`candour link`, `candour link explain` and `candour eval link`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import acting, console, ctx_obj, err_console
from candour.cli.rules_cmds import AS, eval_app

link_app = typer.Typer(
    help="Resolve person mentions into persons (Splink).", invoke_without_command=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(link_app, name="link")


@link_app.callback()
def link(
    ctx: typer.Context,
    incremental: bool = typer.Option(
        False, "--incremental/--full",
        help="Match only mentions not linked yet against the stored persons (saved model).",
    ),
    engine: str | None = typer.Option(
        None, "--engine",
        help="duckdb (in process) or spark (CANDOUR_SPARK_MASTER: local or a cluster) for a "
        "full run; default: the link_engine setting. Incremental runs always match in process.",
    ),
    as_user: str | None = AS,
) -> None:  # fmt: skip
    """Link person mentions into persons: a full run (train, score, cluster) or incremental."""
    if ctx.invoked_subcommand is not None:
        return
    from candour.link.service import run_incremental, run_link

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    if incremental:
        inc = run_incremental(c.store(), actor, c.settings.home / "models")
        per = inc.seconds / inc.new_mentions if inc.new_mentions else 0.0
        console.print(
            f"{inc.new_mentions:,} new person mentions: {inc.joined:,} joined existing persons, "
            f"{inc.new_persons:,} new persons ({inc.seconds:.2f} s, {per:.3f} s per mention)"
        )
        return
    chosen = engine or c.settings.link_engine
    if chosen not in ("duckdb", "spark"):
        err_console.print(f"error: unknown engine '{chosen}' (duckdb or spark)")
        raise typer.Exit(2)
    report = run_link(
        c.store(),
        actor,
        c.settings.home / "models",
        engine=chosen,
        say=lambda msg: err_console.print(msg, highlight=False),
    )
    console.print(
        f"linked {report.mentions:,} person mentions into {report.persons:,} persons "
        f"({report.multi:,} named more than once) from {report.pairs:,} scored pairs; "
        f"model {report.model_digest} saved to {report.model_file}"
    )
    console.print(
        "  " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()), highlight=False
    )


@link_app.command("explain")
def explain(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person id, e.g. PER-123."),
    chart: Path | None = typer.Option(None, "--chart", help="Write the model's weights as PNG."),
    as_user: str | None = AS,
) -> None:
    """The ways a person was written and the match weights that put them together."""
    from candour.link.explain import explain_person, weights_chart

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        out = explain_person(session, person, c.settings.home / "models", actor)
    table = Table("mention", "record", "as written", "strongest link", "weight", "evidence",
                  title=f"{out.person}: {out.display} ({len(out.rows)} mentions, "
                  f"model {out.model})")  # fmt: skip
    for r in out.rows:
        table.add_row(str(r.mention), str(r.record), r.text, r.partner, f"{r.weight:+.1f}",
                      r.evidence)  # fmt: skip
    console.print(table)
    if chart is not None:
        weights_chart(out.model_file, chart)
        console.print(f"model weights chart written to {chart}")


@eval_app.command("link")
def eval_link(
    ctx: typer.Context,
    district: Path | None = typer.Option(
        None, "--district", help="Synthetic district already ingested and extracted here."
    ),
    febrl: bool = typer.Option(True, "--febrl/--no-febrl", help="Run the FEBRL benchmarks."),
    out: Path | None = typer.Option(None, "--out", help="Write the scores as JSON here."),
) -> None:
    """Pairwise and B-cubed scores: FEBRL3/FEBRL4 and the synthetic district's ground truth."""
    from candour.link import evaluate

    scores = []
    if febrl:
        scores += evaluate.febrl()
    if district is not None:
        with ctx_obj(ctx).store().reading() as session:
            scores += evaluate.district(session, district)
    table = Table("data", "precision", "recall", "F1", "B3 precision", "B3 recall", "B3 F1")
    for s in scores:
        b = [f"{x:.4f}" if x is not None else "" for x in
             (s.bcubed_precision, s.bcubed_recall, s.bcubed_f1)]  # fmt: skip
        table.add_row(s.name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}", *b)
    console.print(table)
    if out is not None:
        out.write_text(json.dumps(evaluate.as_json(scores), indent=2) + "\n")


REASON = typer.Option(..., "--reason", help="Why (kept in the ledger).")


@link_app.command("decide")
def decide_cmd(
    ctx: typer.Context,
    mention_a: int = typer.Argument(..., help="A person mention id."),
    mention_b: int = typer.Argument(..., help="Another person mention id."),
    verdict: str = typer.Argument(..., help="same | different | unsure"),
    reason: str = REASON,
    as_user: str | None = AS,
) -> None:
    """Judge whether two mentions are the same person; every later run obeys."""
    from candour.link.decisions import decide

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        decide(session, actor, [(mention_a, mention_b)], verdict, "pair", reason)
    console.print(f"recorded: mentions {mention_a} and {mention_b} are {_said(verdict)}")


@link_app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    person_a: str = typer.Argument(...),
    person_b: str = typer.Argument(...),
    reason: str = REASON,
    as_user: str | None = AS,
) -> None:
    """Two persons are one (applied at the next 'candour link')."""
    from candour.link.decisions import merge

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        merge(session, actor, person_a, person_b, reason)
    console.print(f"recorded: {person_a} and {person_b} are the same person")


@link_app.command("split")
def split_cmd(
    ctx: typer.Context,
    person: str = typer.Argument(...),
    mentions: list[int] = typer.Argument(..., help="Mentions that are not this person."),
    reason: str = REASON,
    as_user: str | None = AS,
) -> None:
    """These mentions are someone else (applied at the next 'candour link')."""
    from candour.link.decisions import split

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        n = split(session, actor, person, mentions, reason)
    console.print(f"recorded: {len(mentions)} mentions are not {person} ({n} decisions)")


@link_app.command("confirm")
def confirm_cmd(
    ctx: typer.Context, person: str = typer.Argument(...), reason: str = REASON,
    as_user: str | None = AS,
) -> None:  # fmt: skip
    """Every mention of this person is confirmed: later runs keep them together."""
    from candour.link.decisions import confirm

    c = ctx_obj(ctx)
    actor = acting(c, as_user)
    with c.store().transaction() as session:
        n = confirm(session, actor, person, reason)
    console.print(f"recorded: {person} confirmed ({n} decisions)")


def _said(verdict: str) -> str:
    return {"same": "the same person", "different": "different people"}.get(
        verdict, "unsure (recorded; no effect on linking)"
    )


@eval_app.command("networks")
def eval_networks(
    ctx: typer.Context,
    district: Path = typer.Option(..., "--district", help="The synthetic district (ingested, "
                                  "extracted, linked and with 'rules run' done)."),
) -> None:  # fmt: skip
    """Was every true exploitation network escalated by the rules, and when would it have been?"""
    from candour.link.evaluate import networks

    with ctx_obj(ctx).store().reading() as session:
        rows, adult, on_networks = networks(session, district)
    table = Table("network", "active from", "first disclosure", "escalations", "first fired",
                  "by rule")  # fmt: skip
    for r in rows:
        table.add_row(r.network, r.active_from, r.first_disclosure, str(r.escalations),
                      r.first_fired or "never", r.rule or "")  # fmt: skip
    console.print(table)
    found = sum(1 for r in rows if r.escalations)
    console.print(
        f"{found} of {len(rows)} networks escalated; {adult} adults escalated for three or more "
        f"children, {on_networks} of them members of a true network"
    )
