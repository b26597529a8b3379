"""The district over time: what happened, what was written down, and what was (not) done.

Records stream to disk month by month; only the population is held in memory. Ground truth
(who every mention really is, which reports disclosed crimes and whether they were recorded,
the true networks) is written beside the records, never inside them.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from candour.intake.schema import CSV_COLUMNS, SCHEMA_V1
from candour.synth import kinds
from candour.synth import text as T
from candour.synth.kinds import pronouns
from candour.synth.workforce import AGENCIES, build_workforce, pick
from candour.synth.world import Builder, District, Network, Officer, Person

SCHEMA = SCHEMA_V1
REFERRAL_CSV_COLUMNS = list(CSV_COLUMNS)
GENERATOR_VERSION = "synth/1"


@dataclass(frozen=True)
class Scale:
    networks: int
    children_per_network: int
    adults_per_network: int
    background_children: int
    background_adults: int
    background_per_month: int
    workforce: int
    years: int


SCALES = {
    "small": Scale(3, 5, 4, 120, 200, 60, 30, 3),
    "medium": Scale(70, 6, 5, 3000, 5000, 1450, 200, 5),
    "large": Scale(300, 6, 5, 14000, 24000, 2500, 400, 8),
}


@dataclass
class Output:
    root: Path
    files: dict[str, IO[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def jsonl(self, rel: str, obj: dict[str, Any]) -> None:
        fh = self.files.get(rel)
        if fh is None:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.files[rel] = path.open("w", encoding="utf-8", newline="\n")
        fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.counts[rel] = self.counts.get(rel, 0) + 1

    def document(self, rel: str, content: str | bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
        key = rel.split("/")[0] + "/" + rel.split("/")[1]
        self.counts[key] = self.counts.get(key, 0) + 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


@dataclass
class Manifest:
    seed: int
    scale: str
    years: int
    records: int
    person_mentions: int
    files: dict[str, int]


class Generator:
    def __init__(self, out: Path, seed: int, scale: str, years: int | None) -> None:
        self.rng = random.Random(seed)
        self.b = Builder(self.rng)
        self.seed, self.scale_name = seed, scale
        self.scale = SCALES[scale]
        self.years = years or self.scale.years
        start = date(2008, 1, 1)
        self.district = District(start, date(start.year + self.years, 1, 1))
        self.out = Output(out)
        self.seq: dict[str, int] = {}
        self.records = 0
        self.person_mentions = 0
        self.referral_csv: csv.DictWriter[str] | None = None

    # -- population ---------------------------------------------------------------------------
    def populate(self) -> None:
        d, b, s = self.district, self.b, self.scale
        d.agencies = AGENCIES
        d.officers = build_workforce(b, s.workforce)
        for _ in range(s.background_children):
            d.children.append(b.person(True, d.start))
        for _ in range(s.background_adults):
            d.adults.append(b.person(False, d.start))
        for _ in range(s.networks):
            d.networks.append(self._network())
        d.people = d.children + d.adults

    def _network(self) -> Network:
        d, b, r = self.district, self.b, self.rng
        nid = b.ids.next("N")
        businesses = [
            b.business(r.choice(("takeaway", "taxi", "hotel"))) for _ in range(r.randint(1, 2))
        ]
        # The men who run the networks (the text refers to them as men); origins as for anyone.
        adults = [b.person(False, d.start, "male") for _ in range(self.scale.adults_per_network)]
        vehicles = []
        for a in adults:
            a.network = nid
            if a.vehicle is None and r.random() < 0.6:
                a.vehicle = b.vehicle()
            if a.vehicle:
                vehicles.append(a.vehicle)
            if r.random() < 0.5:
                a.business = r.choice(businesses)
                if a.business.kind == "taxi":
                    a.badge = f"PH{r.randint(1000, 9999)}"
        children = [b.person(True, d.start) for _ in range(self.scale.children_per_network)]
        for c in children:
            c.network = nid
        span = max(1, int((d.end - d.start).days * 0.4))  # networks start early enough to act
        start = d.start + timedelta(days=r.randint(0, span))
        net = Network(nid, adults, children, businesses, vehicles, start)
        d.adults.extend(adults)
        d.children.extend(children)
        d.businesses.extend(businesses)
        return net

    # -- helpers -------------------------------------------------------------------------------
    def ref(self, prefix: str, day: date) -> str:
        key = f"{prefix}/{day.year}"
        n = self.seq.get(key, 0) + 1
        self.seq[key] = n
        return f"{key}/{n:06d}"

    def at(self, day: date) -> datetime:
        r = self.rng
        return datetime(
            day.year, day.month, day.day, r.randint(0, 23), r.randint(0, 59), tzinfo=UTC
        )

    def officer(self, ranks: tuple[str, ...] = ("PC", "DC"), agency: str = "SDP") -> Officer:
        return pick(self.rng, self.district.officers, agency=agency, ranks=ranks)

    def people_field(
        self, people: list[tuple[Person, str]], day: date, ref: str, mentions: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Structured people: the name as this record spells it, a dob, an age, or neither."""
        rows = []
        for i, (p, role) in enumerate(people):
            entry: dict[str, Any] = {"name": T.name_variant(self.rng, p), "role": role}
            r = self.rng.random()
            if r < 0.45:
                entry["dob"] = p.dob.isoformat()
            elif r < 0.55:
                wrong = p.dob + timedelta(days=self.rng.choice((-1, 1, 31, 365, -365)))
                entry["dob"] = wrong.isoformat()  # mistyped date of birth
            elif r < 0.8:
                entry["age"] = p.age_on(day)
            if p.phone and self.rng.random() < 0.3:
                entry["phone"] = T.phone_variant(self.rng, p.phone)
            if self.rng.random() < 0.3:
                entry["address"] = f"{p.home.address} {p.home.postcode}"
            rows.append(entry)
            mentions.append(
                {
                    "record": ref,
                    "source": "field",
                    "field": f"people[{i}].name",
                    "kind": "person",
                    "entity": p.pid,
                    "role": role,
                    "text": entry["name"],
                }
            )
        self.person_mentions += len(rows)
        return rows

    def emit(
        self, kind: str, rec: dict[str, Any], text: T.Text | None, mentions: list[dict[str, Any]]
    ) -> None:
        rec = {"schema": SCHEMA, "kind": kind, **rec}
        if text is not None:
            rec["text"] = text.value()
            mentions.extend(self.text_mentions(rec["ref"], text))
        as_csv = kind == "referral" and self.rng.random() < 0.5
        for m in mentions:
            if as_csv and m.get("field") == "people[0].name":
                m["field"] = "child_name"
            self.out.jsonl("ground_truth/mentions.jsonl", m)
        self.records += 1
        if as_csv:
            self._csv_referral(rec)
        else:
            self.out.jsonl(f"records/{kind}.jsonl", rec)

    def _csv_referral(self, rec: dict[str, Any]) -> None:
        if self.referral_csv is None:
            path = self.out.root / "records" / "referrals.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = path.open("w", encoding="utf-8", newline="")
            self.out.files["records/referrals.csv"] = fh
            self.referral_csv = csv.DictWriter(fh, fieldnames=REFERRAL_CSV_COLUMNS)
            self.referral_csv.writeheader()
        child = rec["people"][0]
        self.referral_csv.writerow(
            {
                "schema": SCHEMA,
                "kind": "referral",
                "ref": rec["ref"],
                "agency": rec["agency"],
                "received_at": rec["received_at"],
                "author": rec["author"],
                "title": rec["title"],
                "child_name": child["name"],
                "child_dob": child.get("dob", ""),
                "child_age": child.get("age", ""),
                "text": rec["text"],
            }
        )
        self.out.counts["records/referrals.csv"] = (
            self.out.counts.get("records/referrals.csv", 0) + 1
        )

    def text_mentions(self, ref: str, t: T.Text, **extra: str) -> list[dict[str, Any]]:
        """Ground truth for every entity written into a text, with its character offsets."""
        out = []
        for sp in t.spans:
            out.append(
                {
                    "record": ref,
                    "source": "text",
                    "start": sp.start,
                    "end": sp.end,
                    "text": sp.text,
                    "kind": sp.kind,
                    "entity": sp.entity,
                    "role": sp.role,
                    **extra,
                }
            )
            if sp.kind == "person":
                self.person_mentions += 1
        return out

    def say(self, t: T.Text, child: Person, options: tuple[str, ...]) -> None:
        """One of several phrasings, with pronouns that fit the child."""
        t.add(self.rng.choice(options).format(**pronouns(child)))

    def name_in_text(self, t: T.Text, p: Person, role: str) -> None:
        t.entity(T.name_variant(self.rng, p, police_style=True), "person", p.pid, role)

    def indicators(self, t: T.Text, ref: str, child: Person, wanted: list[str]) -> None:
        """Indicator sentences, present or negated; which is which goes to the ground truth."""
        pronoun = "She" if child.name.sex == "female" else "He"
        for ind in wanted:
            present = self.rng.random() < 0.75
            sentence = self.rng.choice(T.INDICATORS[ind][0 if present else 1])
            sentence = sentence.format(
                c=self.rng.choice((pronoun, "The child", "The young person"))
            )
            if child.name.sex == "male":
                sentence = (
                    sentence.replace("gave her", "gave him")
                    .replace("She ", "He ")
                    .replace(" her ", " his ")
                )
            t.add(" " + sentence)
            self.out.jsonl(
                "ground_truth/indicators.jsonl",
                {"record": ref, "indicator": ind, "present": present},
            )

    # -- the timeline --------------------------------------------------------------------------
    def run(self, progress: Callable[[int, int], None] | None = None) -> Manifest:
        self.populate()
        d, r = self.district, self.rng
        months = self.years * 12
        for month in range(months):
            first = date(d.start.year + month // 12, month % 12 + 1, 1)
            discussed: list[tuple[Network, Person]] = []
            for net in d.networks:
                if net.start > first:
                    continue
                stage = min(3, (first - net.start).days // 120)
                for child in net.children:
                    self._child_month(first, net, child, stage, discussed)
            for _ in range(self.scale.background_per_month):
                kinds.background(self, first + timedelta(days=r.randint(0, 27)))
            if discussed:
                kinds.minutes(self, first + timedelta(days=r.randint(10, 20)), discussed[:12])
            if r.random() < 0.3:
                kinds.complaint(self, first + timedelta(days=r.randint(0, 27)))
            if r.random() < 0.08:
                kinds.whistleblower(self, first + timedelta(days=r.randint(0, 27)))
            if progress:
                progress(month + 1, months)
        return self.finish()

    def _child_month(
        self,
        first: date,
        net: Network,
        child: Person,
        stage: int,
        discussed: list[tuple[Network, Person]],
    ) -> None:
        r = self.rng

        def day() -> date:
            return first + timedelta(days=r.randint(0, 27))

        adult = r.choice(net.adults)
        if r.random() < 0.35 + 0.1 * stage:
            kinds.intelligence(self, day(), child, adult)
        if stage >= 1 and r.random() < 0.12 * stage:
            kinds.missing(self, day(), child, adult if r.random() < 0.6 else None)
        if stage >= 1 and r.random() < 0.12:
            kinds.referral(self, day(), child, adult if r.random() < 0.5 else None)
        if stage >= 2 and r.random() < 0.08 * stage:
            kinds.disclosure_report(self, day(), net, child, adult)
        if stage >= 1 and r.random() < 0.4:
            discussed.append((net, child))

    # -- closing -------------------------------------------------------------------------------
    def finish(self) -> Manifest:
        d, out = self.district, self.out
        self._write_workforce()
        roles = {}
        for net in d.networks:
            roles.update({a.pid: "network_adult" for a in net.adults})
            roles.update({c.pid: "network_child" for c in net.children})
            out.jsonl(
                "ground_truth/networks.jsonl",
                {
                    "network": net.nid,
                    "adults": [a.pid for a in net.adults],
                    "children": [c.pid for c in net.children],
                    "businesses": [b.bid for b in net.businesses],
                    "vehicles": [v.vid for v in net.vehicles],
                    "phones": [a.phone for a in net.adults if a.phone],
                    "active_from": net.start.isoformat(),
                    "first_disclosure": net.first_disclosure.isoformat()
                    if net.first_disclosure
                    else None,
                },
            )
        for p in d.people:
            out.jsonl(
                "ground_truth/persons.jsonl",
                {
                    "person": p.pid,
                    "given": p.name.given,
                    "family": p.name.family,
                    "sex": p.name.sex,
                    "origin": p.name.origin,
                    "dob": p.dob.isoformat(),
                    "role": roles.get(p.pid, "child" if p.is_child else "adult"),
                    "phone": p.phone,
                    "email": p.email,
                    "address": p.home.address,
                    "postcode": p.home.postcode,
                    "school": p.school,
                    "network": p.network,
                    "vehicle": p.vehicle.vid if p.vehicle else None,
                    "registration": p.vehicle.registration if p.vehicle else None,
                    "business": p.business.bid if p.business else None,
                    "badge": p.badge,
                },
            )
        for o in d.officers:
            out.jsonl(
                "ground_truth/persons.jsonl",
                {
                    "person": o.identifier,
                    "given": o.name.given,
                    "family": o.name.family,
                    "sex": o.name.sex,
                    "origin": o.name.origin,
                    "role": "officer",
                },
            )
        for b in d.businesses:
            out.jsonl(
                "ground_truth/businesses.jsonl",
                {
                    "business": b.bid,
                    "name": b.name,
                    "kind": b.kind,
                    "address": b.place.address,
                    "postcode": b.place.postcode,
                },
            )
        out.close()
        manifest = Manifest(
            self.seed,
            self.scale_name,
            self.years,
            self.records,
            self.person_mentions,
            dict(sorted(out.counts.items())),
        )
        (out.root / "manifest.json").write_text(
            json.dumps(
                {
                    "generator": GENERATOR_VERSION,
                    "schema": SCHEMA,
                    "seed": manifest.seed,
                    "scale": manifest.scale,
                    "years": manifest.years,
                    "records": manifest.records,
                    "person_mentions": manifest.person_mentions,
                    "files": manifest.files,
                },
                indent=2,
            )
            + "\n"
        )
        return manifest

    def _write_workforce(self) -> None:
        root = self.out.root / "workforce"
        root.mkdir(parents=True, exist_ok=True)
        with (root / "agencies.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["code", "name", "kind"])
            w.writerows(self.district.agencies)
        with (root / "users.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["identifier", "name", "rank", "role", "agency", "unit", "supervisor"])
            for o in self.district.officers:
                w.writerow(
                    [
                        o.identifier,
                        o.name.full,
                        o.rank,
                        o.role,
                        o.agency,
                        o.unit,
                        o.supervisor or "",
                    ]
                )
