"""`candour link`, `candour link explain` and `candour eval link`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import PURPOSE, console, err_console, signed_in, writable_file
from candour.cli.rules_cmds import eval_app

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
) -> None:  # fmt: skip
    """Link person mentions into persons: a full run (train, score, cluster) or incremental."""
    if ctx.invoked_subcommand is not None:
        return
    app, actor = signed_in(ctx)
    if incremental:
        inc = app.pipeline.link_incremental(actor)
        per = inc.seconds / inc.new_mentions if inc.new_mentions else 0.0
        console.print(
            f"{inc.new_mentions:,} new person mentions: {inc.joined:,} joined existing persons, "
            f"{inc.new_persons:,} new persons ({inc.seconds:.2f} s, {per:.3f} s per mention)"
        )
        return
    report = app.pipeline.link(
        actor, engine=engine, say=lambda msg: err_console.print(msg, highlight=False)
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
    purpose: str = PURPOSE,
) -> None:
    """The ways a person was written (in the records you may see) and the match weights that
    put them together; each record shown is logged as read."""
    from candour.link.explain import weights_chart

    app, actor = signed_in(ctx)
    out = app.people.explain(actor, person, purpose)
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

    writable_file(out)
    if district is not None:
        app, actor = signed_in(ctx)
        scores = app.reports.eval_link(actor, district, febrl)
    else:
        scores = list(evaluate.febrl()) if febrl else []
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
) -> None:
    """Judge whether two mentions are the same person; every later run obeys."""
    app, actor = signed_in(ctx)
    app.people.decide(actor, mention_a, mention_b, verdict, reason)
    console.print(f"recorded: mentions {mention_a} and {mention_b} are {_said(verdict)}")


@link_app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    person_a: str = typer.Argument(...),
    person_b: str = typer.Argument(...),
    reason: str = REASON,
) -> None:
    """Two persons are one (applied at the next 'candour link')."""
    app, actor = signed_in(ctx)
    app.people.merge(actor, person_a, person_b, reason)
    console.print(f"recorded: {person_a} and {person_b} are the same person")


@link_app.command("split")
def split_cmd(
    ctx: typer.Context,
    person: str = typer.Argument(...),
    mentions: list[int] = typer.Argument(..., help="Mentions that are not this person."),
    reason: str = REASON,
) -> None:
    """These mentions are someone else (applied at the next 'candour link')."""
    app, actor = signed_in(ctx)
    n = app.people.split(actor, person, mentions, reason)
    console.print(f"recorded: {len(mentions)} mentions are not {person} ({n} decisions)")


@link_app.command("confirm")
def confirm_cmd(
    ctx: typer.Context, person: str = typer.Argument(...), reason: str = REASON,
) -> None:  # fmt: skip
    """Every mention of this person is confirmed: later runs keep them together."""
    app, actor = signed_in(ctx)
    n = app.people.confirm(actor, person, reason)
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
    app, actor = signed_in(ctx)
    rows, adult, on_networks = app.reports.eval_networks(actor, district)
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
