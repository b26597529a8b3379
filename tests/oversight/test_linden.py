"""A data set shaped like Operation Linden, built through the model, gives Linden's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from candour.app import Candour
from candour.errors import PermissionDeniedError
from candour.oversight import cases as c
from candour.settings import Settings
from candour.store import Store
from tests.oversight.world import T0, Oversight, add_officers, build

SET = "Linden"
# 47 officers: most constables and sergeants, some inspectors, a few superintendents and above.
RANKS = ["PC"] * 20 + ["DC"] * 6 + ["PS"] * 8 + ["DS"] * 3 + ["Insp"] * 4 + ["DCI"] * 2
RANKS += ["Supt", "ChSupt", "ACC", "DCC"]
CATEGORIES = [
    "failure_to_investigate",
    "neglect_of_duty",
    "failure_to_safeguard",
    "discreditable_conduct",
    "corrupt_practice",
]


def build_linden(store: Store) -> Oversight:
    world = build(store)
    officers = add_officers(store, RANKS)
    assert len(officers) == 47
    misconduct = set(officers[:8])  # one of them has two such findings
    gross = set(officers[8:14])
    actor = world.investigator
    with store.transaction() as s:
        case_uids = [
            c.open_complaint(
                s,
                actor,
                force="LFP",
                complainant=f"complainant-{n:02d}",
                received_at=T0 + timedelta(days=n),
                channel="letter",
                investigation_set=SET,
            ).uid
            for n in range(51)
        ]
        # 91 investigations: every complaint has one, 40 have a second.
        invs = []
        for n in range(91):
            case = case_uids[n % 51]
            inv = c.open_investigation(
                s,
                actor,
                case,
                mode=("local", "directed", "independent")[n % 3],
                investigator="OV1",
                terms="Whether officers failed to act on reports of exploitation.",
                opened_at=T0 + timedelta(days=(n % 51) + 30),
            )
            invs.append((case, inv.uid))
        # 265 allegations over the 91 investigations, about all 47 officers.
        allegations = []
        for n in range(265):
            case, inv = invs[n % 91]
            officer = officers[n % 47]
            alg = c.add_allegation(
                s, actor, case, subject=officer, category=CATEGORIES[n % 5], investigation=inv
            )
            allegations.append((alg.uid, officer))
        seen: dict[str, int] = {}
        for uid, officer in allegations:
            k = seen.get(officer, 0)
            seen[officer] = k + 1
            if officer in misconduct and (k == 0 or (officer == officers[0] and k == 1)):
                finding, outcome = "misconduct", "written_warning"
            elif officer in gross and k == 0:
                finding, outcome = "gross_misconduct", "final_written_warning"
            else:
                finding, outcome = "no_case_to_answer", None
            c.record_finding(
                s, actor, uid, finding, "on the evidence gathered", upheld=outcome is not None
            )
            if outcome:
                c.record_outcome(s, actor, uid, outcome, "at the misconduct meeting")
        # the senior officers were taken out of scope of one investigation
        c.narrow_scope(
            s,
            actor,
            invs[0][1],
            change="Officers above the rank of chief inspector are out of scope.",
            reason="instructed by the force's deputy chief constable",
            approver="OV2",
            exclude_above="ChInsp",
        )
    return world


@pytest.fixture
def linden(store: Store, settings: Settings):  # type: ignore[no-untyped-def]
    world = build_linden(store)
    app = Candour(settings)
    yield app, world
    app.close()


def test_linden_figures(linden) -> None:  # type: ignore[no-untyped-def]
    app, world = linden
    st = app.oversight.stats(world.investigator, SET)
    assert (st.investigations, st.allegations, st.complainants, st.officers) == (91, 265, 51, 47)
    assert (st.misconduct, st.gross_misconduct, st.dismissals) == (8, 6, 0)
    assert st.allegations_by_finding["misconduct"] == 9  # officer-level and allegation-level differ
    assert [s["exclude_above"] for s in st.scope_excludes_rank] == ["ChInsp"]
    assert sum(v["allegations"] for v in st.by_rank_band.values()) == 265
    assert set(st.by_category) == set(CATEGORIES)
    # the force under investigation sees none of it, whatever its rank
    with pytest.raises(PermissionDeniedError):
        app.oversight.stats(world.force_senior, SET)
    assert app.oversight.stats(world.auditor, SET).investigations == 91
