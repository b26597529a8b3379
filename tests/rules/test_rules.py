"""Rules: versioned loading, the 24-hour recording rule, escalation and climbing, as-of replay,
and the audit scored against a synthetic district's ground truth."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from candour.audit import demand, run_audit
from candour.audit.evaluate import score_recording
from candour.errors import ValidationError
from candour.intake import Options, import_workforce, ingest
from candour.ledger.integrity import verify
from candour.rules import load_rule, parse_rule, run_rules
from candour.settings import Settings
from candour.store import Actor, Store
from candour.store.bootstrap import initialise
from candour.store.models import Escalation, LedgerEvent
from candour.synth import generate

ADMIN = Actor(1, "Staff", "admin")
T0 = datetime(2012, 3, 4, 14, 0, tzinfo=UTC)
WORKFORCE = (
    "identifier,name,rank,role,agency,unit,supervisor\n"
    "SDP4,Ari Cole,Supt,senior,SDP,Command,\n"
    "SDP3,Bo Dane,Insp,supervisor,SDP,CID,SDP4\n"
    "SDP2,Kai Nowak,PS,supervisor,SDP,CID,SDP3\n"
    "SDP1,Sam Okafor,PC,officer,SDP,CID,SDP2\n"
)


def _report(ref: str, decided_after: timedelta | None, outcome: str = "recorded") -> dict:
    rec = {
        "schema": "candour.record/1",
        "kind": "crime_report",
        "ref": ref,
        "agency": "SDP",
        "received_at": T0.isoformat(),
        "author": "SDP1",
        "disclosure": True,
        "text": f"Disclosure {ref}.",
        "offence": {"code": "19C", "group": "sexual_offences"},
        "people": [{"name": "Amy Reid", "role": "victim", "age": 14}],
    }
    if decided_after is not None:
        rec["decisions"] = [
            {
                "kind": "crime_recording",
                "outcome": outcome,
                "reason": "r",
                "offence_code": "19C" if outcome == "recorded" else None,
                "by": "SDP2",
                "at": (T0 + decided_after).isoformat(),
            }
        ]
    return rec


@pytest.fixture
def casework(store: Store, tmp_path: Path) -> Store:
    (tmp_path / "a.csv").write_text("code,name,kind\nSDP,South District Police,police\n")
    (tmp_path / "u.csv").write_text(WORKFORCE)
    import_workforce(store, tmp_path / "a.csv", tmp_path / "u.csv", Actor.system())
    rows = [
        _report("CR/ontime", timedelta(hours=3)),
        _report("CR/late", timedelta(days=4)),
        _report("CR/never", None),
        _report("CR/refused", timedelta(hours=2), "not_recorded"),
    ]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    ingest(store, [tmp_path / "r.jsonl"], ADMIN, Options())
    return store


def _escalations(store: Store) -> dict[str, Escalation]:
    with store.reading() as s:
        return {e.evidence["record"]: e for e in s.scalars(select(Escalation))}


def _refs(store: Store) -> dict[str, str]:
    from candour.store.models import Record

    with store.reading() as s:
        return {r.fields["ref"]: r.uid for r in s.scalars(select(Record))}


def test_breaches_raise_one_escalation_each_to_the_supervisor(casework: Store) -> None:
    with casework.transaction() as s:
        report = run_rules(s, ADMIN, T0 + timedelta(hours=30))
    assert (report.evaluated, report.breaches, report.raised) == (4, 2, 2)
    refs = _refs(casework)
    escalations = _escalations(casework)
    assert set(escalations) == {refs["CR/late"], refs["CR/never"]}
    never = escalations[refs["CR/never"]]
    assert (never.target_rank, never.status) == ("PS", "open")  # SDP1's supervisor, not yet due
    with casework.transaction() as s:
        again = run_rules(s, ADMIN, T0 + timedelta(hours=30))
    assert (again.raised, again.already_raised) == (0, 2)


def test_as_of_before_the_deadline_raises_nothing(casework: Store) -> None:
    with casework.transaction() as s:
        report = run_rules(s, ADMIN, T0 + timedelta(hours=23))
    assert (report.evaluated, report.raised) == (0, 0)
    with casework.transaction() as s:
        report = run_rules(s, ADMIN, datetime(2001, 1, 1, tzinfo=UTC))
    assert report.rules == []  # NCRS rule not yet in force


def test_overdue_escalations_climb_one_rank_per_period(casework: Store) -> None:
    with casework.transaction() as s:
        run_rules(s, ADMIN, T0 + timedelta(hours=30))
    with casework.transaction() as s:
        report = run_rules(s, ADMIN, T0 + timedelta(hours=24 + 24 + 1))
    assert report.climbed == 2
    e = _escalations(casework)[_refs(casework)["CR/never"]]
    assert (e.target_rank, e.status) == ("Insp", "overdue")
    with casework.transaction() as s:
        run_rules(s, ADMIN, T0 + timedelta(days=30))
    e = _escalations(casework)[_refs(casework)["CR/never"]]
    assert e.target_rank == "ChSupt"  # the rule's ceiling
    with casework.reading() as s:
        actions = s.scalars(
            select(LedgerEvent.action)
            .where(LedgerEvent.entity_type == "escalation", LedgerEvent.entity_id == str(e.id))
            .order_by(LedgerEvent.idx)
        ).all()
        assert actions == ["escalate", "overdue", "overdue", "overdue", "overdue"]
        assert verify(s).intact


def test_audit_finds_unrecorded_and_breaches(casework: Store) -> None:
    with casework.reading() as s:
        audit = run_audit(s)
    refs = {r.ref for r in audit.unrecorded}
    assert refs == {"CR/never", "CR/refused"}
    assert {r.ref for r in audit.breaches} == {"CR/late", "CR/never"}
    assert dict(audit.time_to_decision())["<=6h"] == 2


def test_rule_versions_are_checked_and_logged(store: Store) -> None:
    text = (Path(__file__).parents[2] / "src/candour/rules/defaults/ncrs-24h.yaml").read_text()
    with store.transaction() as s:
        assert not load_rule(s, text, "same", ADMIN).new
        changed = text.replace("deadline_hours: 24", "deadline_hours: 48")
        with pytest.raises(ValidationError, match="new version"):
            load_rule(s, changed, "changed", ADMIN)
        v2 = changed.replace("version: 1", "version: 2")
        assert load_rule(s, v2, "v2", ADMIN).new
        events = s.scalars(
            select(LedgerEvent.entity_id).where(LedgerEvent.action == "rule_change")
        ).all()
    assert "ncrs-24h@2" in events and "ncrs-24h@1" in events


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        ("id: x1\nversion: 1\nkind: recording_deadline\n", "deadline_hours"),
        ("id: x1\nversion: 0\nkind: harm_weights\nsource: abc\n", "version"),
        ("id: x1\nversion: 1\nkind: teleport\n", "kind"),
        ("id: x1\nversion: 1\nkind: harm_weights\nsource: abc\nbogus: 1\n", "bogus"),
    ],
)
def test_bad_rules_name_the_field(yaml_text: str, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_rule(yaml_text, "r.yaml")
    assert field in str(err.value) and "r.yaml" in str(err.value)


def test_audit_scores_perfectly_on_a_synthetic_district(tmp_path: Path) -> None:
    data = tmp_path / "district"
    generate(data, seed=21, scale="small")
    settings = Settings(home=tmp_path / "home")
    store = Store.connect(settings.effective_database_url)
    initialise(store, settings, "admin", "Admin", "pw")
    import_workforce(
        store, data / "workforce" / "agencies.csv", data / "workforce" / "users.csv", ADMIN
    )
    ingest(store, [data / "records"], ADMIN, Options())
    with store.transaction() as s:
        run_rules(s, ADMIN)
    with store.reading() as s:
        audit = run_audit(s)
        need = demand(s)
    scores = score_recording(audit, data)
    assert all(sc.truth > 0 for sc in scores)
    assert [(sc.precision, sc.recall) for sc in scores] == [(1.0, 1.0), (1.0, 1.0)]
    sexual = next(c for c in need.categories if c.group == "sexual_offences")
    volume_share, harm_share = sexual.shares(*need.totals)
    assert harm_share > 5 * volume_share  # harm, not volume, puts sexual offences first
    store.dispose()
