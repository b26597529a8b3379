"""Why a person's mentions were put together: the match weights behind a cluster.

Explaining shows names as written in records about children, so it is a consultation: the
caller consults the person's records through the access gate first and passes the ids of those
it may see; only their mentions are explained.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError
from candour.store.models import Entity, Mention, Record


@dataclass(frozen=True)
class Row:
    mention: int
    record: str
    text: str
    partner: str
    weight: float
    evidence: str


@dataclass
class Explanation:
    person: str
    display: str
    model: str
    model_file: Path
    rows: list[Row]


def explain_person(session: Session, uid: str, models_dir: Path, records: set[int]) -> Explanation:
    from splink import DuckDBAPI, Linker

    from candour.link.engine import prepare
    from candour.link.frame import person_frame

    entity = session.execute(select(Entity).where(Entity.uid == uid)).scalar_one_or_none()
    if entity is None or entity.kind != "person":
        raise NotFoundError(f"no person '{uid}'")
    digest = str((entity.attributes or {}).get("digest", ""))
    files = sorted(models_dir.glob(f"*-{digest}.json")) if digest else []
    if not files:
        raise NotFoundError(f"the model that linked '{uid}' is not in {models_dir}")
    ids = list(session.scalars(select(Mention.id).where(
        Mention.entity_id == entity.id, Mention.record_id.in_(sorted(records)))))  # fmt: skip
    frame = person_frame(session, mention_ids=ids)
    model = json.loads(files[0].read_text())
    model["blocking_rules_to_generate_predictions"] = [{"blocking_rule": "1=1"}]
    model["retain_intermediate_calculation_columns"] = True
    rows: list[Row] = []
    uids = dict(session.execute(select(Record.id, Record.uid).where(Record.id.in_(
        [int(r) for r in frame["record_id"]]))).all())  # fmt: skip
    if len(frame) > 1:
        api = DuckDBAPI()
        linker = Linker(api.register(prepare(frame), table_name="cluster"), model,
                        log_level=logging.ERROR)  # fmt: skip
        pairs = linker.inference.predict().as_pandas_dataframe()
        labels = _labels(model)
        antecedent = _antecedents(session, frame)
        text = dict(zip(frame["unique_id"].astype(int), frame["text"], strict=True))
        for r in frame.itertuples():
            mine = pairs[(pairs.unique_id_l == r.unique_id) | (pairs.unique_id_r == r.unique_id)]
            if mine.empty:
                continue
            best = mine.loc[mine["match_weight"].idxmax()]
            other = int(best.unique_id_r if best.unique_id_l == r.unique_id else best.unique_id_l)
            why = _evidence(best, labels)
            rows.append(Row(int(r.unique_id), uids.get(int(r.record_id), ""), str(r.text),
                            text[other], float(best.match_weight), why))  # fmt: skip
        # A partial name that repeats a full name of its own record was not linked on its own
        # weights: say so (see coref.py).
        for i, row in enumerate(rows):
            if antecedent.get(row.mention) in text:
                full = text[antecedent[row.mention]]
                rows[i] = replace(row, partner=full, evidence=f"repeats '{full}' in its record")
    else:
        for r in frame.itertuples():
            rows.append(Row(int(r.unique_id), uids.get(int(r.record_id), ""), str(r.text),
                            "", 0.0, "named once"))  # fmt: skip
    return Explanation(uid, entity.display, files[0].stem, files[0], rows)


def _antecedents(session: Session, frame: Any) -> dict[int, int]:
    """The in-record coreference a run saw for these mentions: decided over every person
    named in their records (another full name there makes a partial ambiguous), leaving out
    mentions an analyst decided on, as linking does."""
    from candour.link.coref import antecedents
    from candour.link.decisions import constraints
    from candour.link.frame import person_frame

    records = sorted({int(r) for r in frame["record_id"]})
    around = list(session.scalars(
        select(Mention.id).where(Mention.record_id.in_(records), Mention.kind == "person")
    ))  # fmt: skip
    return antecedents(
        person_frame(session, mention_ids=around), keep=constraints(session).mentions()
    )


def _labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        n = len(levels)
        out[name] = {
            n - 1 - i: str(lv.get("label_for_charts") or lv["sql_condition"])[:40]
            for i, lv in enumerate(levels)
        }
    return out


def _evidence(pair: Any, labels: dict[str, dict[int, str]]) -> str:
    """The three comparisons that weighed most, with their level and weight."""
    parts = []
    for name, by_gamma in labels.items():
        gamma = pair.get(f"gamma_{name}")
        w = pair.get(f"mw_{name}")
        if gamma is None or gamma < 0 or w is None:
            continue
        w = float(w) + float(pair.get(f"mw_tf_adj_{name}") or 0.0)
        parts.append((w, f"{name}: {by_gamma.get(int(gamma), '?')} ({w:+.1f})"))
    parts.sort(key=lambda x: -x[0])
    return "; ".join(p for _, p in parts[:3])


def weights_chart(model_file: Path, out: Path) -> None:
    """Horizontal bars: the match weight (log2 m/u) of every level of every comparison."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = json.loads(model_file.read_text())
    labels, weights = [], []
    for comp in model["comparisons"]:
        for lv in comp["comparison_levels"]:
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if lv.get("is_null_level") or not m or not u:
                continue
            level = str(lv.get("label_for_charts") or lv["sql_condition"])[:36]
            labels.append(f"{comp['output_column_name'][:24]}: {level}")
            weights.append(math.log2(m / u))
    fig, ax = plt.subplots(figsize=(9, max(3, 0.3 * len(labels))))
    ax.barh(range(len(labels)), weights, color=["#2b7" if w > 0 else "#c44" for w in weights])
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlabel("match weight (log2 Bayes factor)")
    ax.set_title(f"Person linkage model {model_file.stem}")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
