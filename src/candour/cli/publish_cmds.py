"""`candour publish`: draft a redacted report, review it, add or undo redactions, approve it
(files are written only then); `candour eval redact`: redaction recall and precision."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from candour.cli.context import console, parse_time, readable_file, signed_in, writable_file
from candour.cli.rules_cmds import eval_app

publish_app = typer.Typer(
    help="Reports fit to publish: redacted, pseudonymised, small numbers suppressed, reviewed.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(publish_app, name="publish")


def _day(value: str | None, name: str) -> datetime | None:
    return parse_time(value, name)


def _show(d: Any) -> None:
    console.print(
        f"draft [bold]{d.uid}[/] ({d.source}, {d.status}): {len(d.log)} removals, "
        f"{len(d.kept)} kept by the allow-list; built from ledger checkpoint size "
        f"{d.checkpoint[0]}",
        highlight=False,
    )
    if d.residual:
        console.print(f"[red]residual check: {len(d.residual)} places still show identifiers[/]")
        for place in d.residual[:20]:
            console.print(f"  {place}", highlight=False)
    else:
        console.print("residual check: no identifier of a person in the sources is left")


@publish_app.command("draft")
def draft(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="recording-audit | who-knew"),
    target: str | None = typer.Option(None, "--target", help="Person or record (who-knew)."),
    start: str | None = typer.Option(None, "--from", help="First day (recording-audit)."),
    end: str | None = typer.Option(None, "--to", help="Day after the last."),
    threshold: int = typer.Option(5, "--threshold", help="Suppress counts below this."),
    purpose: str = typer.Option("publication of a redacted report", "--purpose"),
) -> None:
    """Build a redacted draft for review; nothing is written outside the store."""
    app, actor = signed_in(ctx)
    d = app.publish.draft(
        actor, source, purpose, start=_day(start, "from"), end=_day(end, "to"), target=target,
        threshold=threshold,
    )  # fmt: skip
    _show(d)
    console.print(f"next: candour publish review {d.uid}; candour publish approve {d.uid}")


@publish_app.command("review")
def review(
    ctx: typer.Context,
    uid: str = typer.Argument(...),
    log: bool = typer.Option(True, "--log/--no-log", help="Show the redaction log."),
) -> None:
    """The draft's redaction log: what was removed, where, why, by which recogniser."""
    app, actor = signed_in(ctx)
    d = app.publish.review(actor, uid)
    _show(d)
    if log:
        table = Table("place", "entity", "removed", "as", "recogniser", "conf.", "why")
        for r in d.log:
            table.add_row(r["place"], r["entity"], r["text"], r["replacement"], r["recogniser"],
                          f"{r['confidence']:.2f}", r["reason"])  # fmt: skip
        for r in d.kept:
            table.add_row(r["place"], r["entity"], r["text"], "(kept)", r["recogniser"],
                          f"{r['confidence']:.2f}", r["reason"])  # fmt: skip
        console.print(table)


@publish_app.command("redact")
def add_redaction(
    ctx: typer.Context,
    uid: str = typer.Argument(...),
    text: str = typer.Argument(..., help="Text to remove wherever the draft shows it."),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Add a redaction to a draft."""
    app, actor = signed_in(ctx)
    _show(app.publish.change(actor, uid, add=text, reason=reason))


@publish_app.command("keep")
def undo_redaction(
    ctx: typer.Context,
    uid: str = typer.Argument(...),
    text: str = typer.Argument(..., help="A name to keep (a public official, a public body)."),
    reason: str = typer.Option(..., "--reason", help="Why it stays public (recorded)."),
) -> None:
    """Undo a redaction: keep a name, with the reason, as an allow-list entry of this draft."""
    app, actor = signed_in(ctx)
    _show(app.publish.change(actor, uid, undo=text, reason=reason))


@publish_app.command("approve")
def approve(
    ctx: typer.Context,
    uid: str = typer.Argument(...),
    reviewer: str = typer.Option(..., "--reviewer", help="The reviewer named in the ledger."),
    out: Path = typer.Option(Path("reports/published"), "--out"),
    formats: str = typer.Option("html,md,pdf", "--format", help="Any of html, md, pdf."),
) -> None:
    """Approve a draft (a ledger event naming the reviewer) and write its files."""
    app, actor = signed_in(ctx)
    paths = app.publish.approve(actor, uid, reviewer, out, [f.strip() for f in formats.split(",")])
    for p in paths:
        console.print(f"wrote {p}", highlight=False)


@eval_app.command("redact")
def eval_redact(
    gold: list[Path] = typer.Option(..., "--gold", help="Span gold JSONL files."),
    out: Path | None = typer.Option(None, "--out", help="Write the scores as JSON here."),
) -> None:
    """Redaction recall per class and precision on span gold sets (numbers only)."""
    from candour.extract.pipeline import Extractor
    from candour.publish.evaluate import read_gold_jsonl, score
    from candour.publish.redact import Redactor
    from candour.rules.registry import default_lexicon
    from candour.settings import get_settings

    for path in gold:
        readable_file(path)
    writable_file(out)
    redactor = Redactor(Extractor(default_lexicon(), get_settings().spacy_model))
    scores = [score(p.parent.name or str(p), read_gold_jsonl(p), redactor) for p in gold]
    for s in scores:
        d = s.as_dict()
        table = Table("class", "recall", "removed / marked",
                      title=f"redaction on {d['set']} ({d['documents']} documents)")  # fmt: skip
        for cls, r in d["recall"].items():
            found, total = d["counts"][cls]
            table.add_row(cls, f"{r:.4f}", f"{found} / {total}")
        console.print(table)
        console.print(f"precision {d['precision']} over {d['removals']} removals")
    if out is not None:
        out.write_text(json.dumps([s.as_dict() for s in scores], indent=2) + "\n")
