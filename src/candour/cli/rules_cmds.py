"""`candour rules ...`, `audit recording`, `report demand` and `eval recording`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from candour.cli.context import console, parse_time, signed_in, writable_folder

rules_app = typer.Typer(help="Declarative, versioned rules.", no_args_is_help=True)
audit_app = typer.Typer(help="Audits of recording integrity.", no_args_is_help=True)
report_app = typer.Typer(help="Reports for senior officers and oversight.", no_args_is_help=True)
eval_app = typer.Typer(
    help="Scores against a synthetic district's ground truth.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.add_typer(audit_app, name="audit")
    app.add_typer(report_app, name="report")
    app.add_typer(eval_app, name="eval")


@rules_app.command("load")
def load(ctx: typer.Context, files: list[Path] = typer.Argument(...)) -> None:
    """Load rule files (YAML); each new version is a ledger event."""
    app, actor = signed_in(ctx)
    for loaded in app.pipeline.load_rules(actor, files):
        state = "loaded" if loaded.new else "already loaded"
        console.print(f"{loaded.rule_id} version {loaded.version}: {state}")


@rules_app.command("load-defaults")
def load_defaults(ctx: typer.Context) -> None:
    """Load the bundled rules (NCRS 24-hour decision, harm weights, text lexicon)."""
    app, actor = signed_in(ctx)
    for loaded in app.pipeline.load_default_rules(actor):
        console.print(
            f"{loaded.rule_id} version {loaded.version}: "
            f"{'loaded' if loaded.new else 'already loaded'}"
        )


@rules_app.command("list")
def list_rules(ctx: typer.Context, at: str | None = typer.Option(None, "--at")) -> None:
    """Rules in force (now, or at a past time)."""
    app, actor = signed_in(ctx)
    rules = app.pipeline.rules_in_force(actor, parse_time(at, "at"))
    table = Table("rule", "version", "kind", "in force from", "description")
    for r in rules:
        table.add_row(
            r.id, str(r.version), r.kind, r.effective_from.isoformat(), r.description.strip()[:80]
        )
    console.print(table)


@rules_app.command("run")
def run(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate as things stood then."),
) -> None:
    """Evaluate the rules and raise escalations (re-runnable: nothing is raised twice)."""
    app, actor = signed_in(ctx)
    report = app.pipeline.run_rules(actor, parse_time(as_of, "as-of"))
    console.print(f"as of {report.as_of:%Y-%m-%d %H:%M}: rules {', '.join(report.rules) or 'none'}")
    console.print(
        f"  evaluated {report.evaluated:,}  breaches {report.breaches:,}  "
        f"raised {report.raised:,}  already raised {report.already_raised:,}  "
        f"climbed {report.climbed:,}"
    )
    for name, n in report.per_rule.items():
        console.print(
            f"  {name}: {n['breaches']:,} met, {n['raised']:,} raised, "
            f"{n['already_raised']:,} already raised"
            + (f", {n['climbed']:,} climbed" if n["climbed"] else ""),
            highlight=False,
        )


@audit_app.command("recording")
def audit_recording(
    ctx: typer.Context,
    start: str | None = typer.Option(None, "--from", help="First day (received)."),
    end: str | None = typer.Option(None, "--to", help="Day after the last."),
    out: Path = typer.Option(Path("reports/recording-audit"), "--out"),
    purpose: str = typer.Option("crime-recording audit", "--purpose",
                                help="Why (kept in the ledger on every record covered)."),
) -> None:  # fmt: skip
    """Recording rates, disclosures without a crime record, time to decision, breaches, over
    the records you may read (each is logged as read)."""
    writable_folder(out)
    app, actor = signed_in(ctx)
    audit = app.reports.recording_audit(actor, parse_time(start, "from"), parse_time(end, "to"),
                                        purpose)  # fmt: skip
    paths = app.reports.write_audit(audit, out)
    console.print(
        f"{len(audit.rows):,} disclosures of notifiable offences; "
        f"{audit.recorded_rate:.1%} recorded as crimes"
    )
    console.print(
        f"[bold red]{len(audit.unrecorded):,}[/] without a crime record; "
        f"[bold red]{len(audit.breaches):,}[/] breaches of the 24-hour decision rule"
    )
    table = Table("offence group", "disclosures", "recorded", "rate")
    for k, n, rec, rate in audit.rate_by("offence_group"):
        table.add_row(k, f"{n:,}", f"{rec:,}", f"{rate:.1%}")
    console.print(table)
    console.print(f"written: {', '.join(p.name for p in paths)} in {out}")


@report_app.command("demand")
def report_demand(
    ctx: typer.Context, out: Path = typer.Option(Path("reports/demand"), "--out")
) -> None:
    """Volume versus harm by offence group, with the harm weights' source."""
    writable_folder(out)
    app, actor = signed_in(ctx)
    d = app.reports.demand(actor)
    paths = app.reports.write_demand(d, out)
    total_v, total_h = d.totals
    table = Table(
        "offence group",
        "volume",
        "share of volume",
        "harm",
        "share of harm",
        title="Demand: volume versus harm",
    )
    for cat in d.categories:
        vs, hs = cat.shares(total_v, total_h)
        table.add_row(cat.group, f"{cat.volume:,}", f"{vs:.1%}", f"{cat.harm:,.0f}", f"{hs:.1%}")
    console.print(table)
    console.print(f"harm weights: {d.source}")
    console.print(f"written: {', '.join(p.name for p in paths)} in {out}")


@eval_app.command("recording")
def eval_recording(
    ctx: typer.Context, district: Path = typer.Argument(..., help="A synthetic district folder.")
) -> None:
    """Precision and recall of the recording audit against the district's ground truth."""
    app, actor = signed_in(ctx)
    scores = app.reports.eval_recording(actor, district)
    table = Table("finding", "truth", "found", "precision", "recall")
    for s in scores:
        table.add_row(
            s.name, f"{s.truth:,}", f"{s.found:,}", f"{s.precision:.3f}", f"{s.recall:.3f}"
        )
    console.print(table)
