"""Batch stages: intake, extraction, linking and rules, run by a named (service) account whose
every write is attributed to it; and quarantine review."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.errors import ValidationError

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.store.access import Actor


class PipelineService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def ingest(
        self,
        actor: Actor,
        paths: Sequence[Path],
        kind: str | None,
        agency: str | None,
        progress: Callable[[Path], None] | None = None,
    ) -> Any:
        from candour.intake import Options, ingest
        from candour.store.enums import RecordKind

        require(actor, Capability.INGEST)
        if kind is not None and kind not in {k.value for k in RecordKind}:
            raise ValidationError(f"unknown record kind '{kind}'", field="kind")
        for p in paths:
            if not p.exists():
                raise ValidationError("no such file or folder", source=str(p))
        s = self.app.settings
        guard = (str(s.home.resolve()), str(s.effective_key_file.resolve().parent))
        return ingest(
            self.app.store(),
            list(paths),
            actor,
            Options(
                kind=kind, agency=agency, refuse_under=guard, keep_bytes=s.quarantine_keep_bytes
            ),
            progress=progress,
            workers=self.app.settings.intake_workers,
        )

    def quarantine(self, actor: Actor, *, include_resolved: bool = False) -> list[Any]:
        from candour.intake import list_items

        require(actor, Capability.VIEW_QUARANTINE)
        with self.app.store().reading() as session:
            return list_items(session, status=None if include_resolved else "open")

    def quarantine_item(self, actor: Actor, item_id: int, purpose: str) -> Any:
        from candour.auth.gate import consult_quarantine

        with self.app.store().transaction() as session:
            return consult_quarantine(session, actor, item_id, purpose)

    def retry(self, actor: Actor, item_id: int, replacement: Path | None) -> tuple[bool, str]:
        from candour.intake import retry

        require(actor, Capability.RUN_PIPELINE)
        return retry(self.app.store(), item_id, actor, replacement)

    def extract(
        self,
        actor: Actor,
        *,
        since: datetime | None = None,
        rerun: bool = False,
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        from candour.extract.service import run_extraction

        require(actor, Capability.RUN_PIPELINE)
        s = self.app.settings
        report = run_extraction(
            self.app.store(),
            actor,
            self.app.lexicon(),
            s.spacy_model,
            since=since,
            rerun=rerun,
            workers=workers or s.extract_workers,
            on_progress=progress,
        )
        # A user named as a suspect in what was just read out is walled from it at once.
        self.app.oversight.officers_as_suspects(actor)
        return report

    def link(
        self, actor: Actor, *, engine: str | None = None, say: Callable[[str], None] | None = None
    ) -> Any:
        from candour.link.engine import scratch
        from candour.link.service import run_link

        require(actor, Capability.RUN_PIPELINE)
        chosen = engine or self.app.settings.link_engine
        if chosen not in ("duckdb", "spark"):
            raise ValidationError(f"unknown engine '{chosen}' (duckdb or spark)", field="engine")
        with scratch(self.app.settings.home):
            return run_link(self.app.store(), actor, self.app.models_dir, engine=chosen, say=say)

    def link_incremental(self, actor: Actor) -> Any:
        from candour.link.engine import scratch
        from candour.link.service import run_incremental

        require(actor, Capability.RUN_PIPELINE)
        with scratch(self.app.settings.home):
            return run_incremental(self.app.store(), actor, self.app.models_dir)

    def load_rules(self, actor: Actor, files: Sequence[Path]) -> list[Any]:
        from candour.rules import load_rule

        require(actor, Capability.MANAGE_RULES)
        out = []
        with self.app.store().transaction() as session:
            for f in files:
                try:
                    text = f.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    reason = getattr(exc, "strerror", None) or "not UTF-8 text"
                    raise ValidationError(
                        f"cannot read rule file ({reason})", source=str(f)
                    ) from None
                out.append(load_rule(session, text, str(f), actor))
        return out

    def load_default_rules(self, actor: Actor) -> list[Any]:
        from candour.rules import load_defaults

        require(actor, Capability.MANAGE_RULES)
        with self.app.store().transaction() as session:
            return list(load_defaults(session, actor))

    def rules_in_force(self, actor: Actor, at: datetime | None) -> list[Any]:
        from candour.rules import rules_in_force

        with self.app.store().reading() as session:
            return list(rules_in_force(session, at))

    def run_rules(self, actor: Actor, as_of: datetime | None = None) -> Any:
        from candour.rules import run_rules

        require(actor, Capability.RUN_PIPELINE)
        with self.app.store().transaction() as session:
            return run_rules(session, actor, as_of, now=self.app.clock.now())
