"""`candour extract`, `candour eval extract` and `candour report language`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import (
    console,
    parse_time,
    progress_bar,
    readable_file,
    signed_in,
    writable_file,
    writable_folder,
)
from candour.cli.rules_cmds import eval_app, report_app


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)


def extract(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="Only records received since then."),
    rerun: bool = typer.Option(False, "--rerun", help="Re-extract records already extracted."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Processes (settings)."),
) -> None:
    """Extract people, vehicles, phones, places, indicators and language from records' text."""
    app, actor = signed_in(ctx)
    with progress_bar("extracting") as bar:
        task = bar.add_task("extract", total=None)
        report = app.pipeline.extract(
            actor,
            since=parse_time(since, "since"),
            rerun=rerun,
            workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"extracted {report.records:,} records ({report.words:,} words) with {report.extractor}: "
        f"{report.mentions:,} mentions, {report.findings:,} findings, "
        f"{report.text_disclosures:,} disclosures found in text"
        + (
            f", {report.superseded:,} earlier extractions kept as history"
            if report.superseded
            else ""
        )
    )
    if report.by_label:
        console.print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(report.by_label.items())))


@eval_app.command("extract")
def eval_extract(
    gold: list[Path] | None = typer.Option(None, "--gold", help="Gold files (default: bundled)."),
    out: Path | None = typer.Option(None, "--out", help="Write the scores as JSON here."),
    errors: bool = typer.Option(False, "--errors", help="List every miss and false hit."),
) -> None:
    """Precision, recall and F1 per label on the labelled gold set."""
    from candour.extract.gold import evaluate, load_gold
    from candour.extract.pipeline import Extractor
    from candour.rules.registry import default_lexicon
    from candour.settings import get_settings

    for path in gold or []:
        readable_file(path)
    writable_file(out)
    docs = load_gold(gold)
    ex = Extractor(default_lexicon(), get_settings().spacy_model)
    ev = evaluate(docs, ex.extract([d.text for d in docs]))
    data = ev.as_dict()
    table = Table("label", "precision", "recall", "F1", "tp", "fp", "fn",
                  title=f"extraction on {ev.documents} gold documents")  # fmt: skip
    for label, s in data["labels"].items():
        table.add_row(label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                      str(s["tp"]), str(s["fp"]), str(s["fn"]))  # fmt: skip
    console.print(table)
    console.print(
        f"role accuracy {data['role_accuracy']}; negated indicators not counted as present "
        f"{data['negation_accuracy']}; extractor {ex.version}"
    )
    if errors:
        for e in ev.errors:
            console.print(f"  {e}", highlight=False)
    if out is not None:
        out.write_text(json.dumps(data, indent=2) + "\n")


@report_app.command("language")
def language(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Write CSV files into this directory."),
) -> None:
    """Victim-blaming language about children, per author and unit, with better wording."""
    if out is not None:
        writable_folder(out)
    app, actor = signed_in(ctx)
    rep = app.reports.language(actor)
    table = Table("unit", "author", "term", "times", "write instead", title="language check")
    for row in rep.rows[:40]:
        table.add_row(row.unit, row.author, row.term, str(row.count), row.suggestion)
    console.print(table)
    console.print(f"{rep.total:,} phrases in {rep.records:,} records by {rep.authors:,} authors")
    if out is not None:
        app.reports.write_language(rep, out)
        console.print(f"written to {out}")
