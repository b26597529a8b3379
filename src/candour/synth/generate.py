"""The district over time: what happened, what was written down, and what was (not) done.

Records stream to disk month by month; only the population is held in memory. Ground truth
(who every mention really is, which reports disclosed crimes and whether they were recorded,
the true networks) is written beside the records, never inside them.
"""

from __future__ import annotations

import csv
import html
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Any

from candour.intake.schema import CSV_COLUMNS, SCHEMA_V1
from candour.synth import text as T
from candour.synth.workforce import AGENCIES, build_workforce, pick
from candour.synth.world import Builder, District, Network, Officer, Person

SCHEMA = SCHEMA_V1
REFERRAL_CSV_COLUMNS = list(CSV_COLUMNS)
GENERATOR_VERSION = "synth/1"


def _pro(p: Person) -> dict[str, str]:
    if p.name.sex == "male":
        return {"she": "he", "She": "He", "her": "him", "his": "his"}
    return {"she": "she", "She": "She", "her": "her", "his": "her"}


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

SEXUAL_OFFENCES = (
    ("19C", "Rape of a female child under 16"),
    ("19D", "Rape of a female child under 13"),
    ("22B", "Sexual activity involving a child under 16"),
    ("20A", "Sexual assault on a female child under 13"),
    ("17A", "Sexual assault on a female aged 13 and over"),
    ("88A", "Sexual grooming"),
)
OTHER_OFFENCES = (
    ("46", "Shoplifting", "theft"),
    ("58C", "Criminal damage to a vehicle", "criminal_damage"),
    ("105A", "Assault without injury", "violence"),
    ("28E", "Burglary - residential", "burglary"),
    ("45", "Theft from a vehicle", "vehicle_crime"),
    ("92A", "Possession of cannabis", "drugs"),
)
# Reasons written down when a disclosure was wrongly not recorded (the failures to find).
BAD_REASONS = (
    "Victim appears to have consented.",
    "No complaint made by the child.",
    "Child is promiscuous and not credible.",
    "Lifestyle choice; no offence disclosed.",
    "Relationship appears consensual.",
    "Victim unwilling to support a prosecution.",
)


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
        t.add(self.rng.choice(options).format(**_pro(child)))

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

    # -- record kinds --------------------------------------------------------------------------
    def intelligence(self, day: date, child: Person, adult: Person) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("INT", day)
        when = self.at(day)
        t = T.Text()
        t.add(T.when_phrase(r, when) + " ")
        self.name_in_text(t, child, "victim")
        t.add(T.age_phrase(r, child.age_on(day)) + " " + r.choice(T.SEEN_WITH) + " ")
        v = adult.vehicle
        if v is not None:
            t.add(f"a {v.colour} {v.make} registration ")
            t.entity(T.plate_variant(r, v), "vehicle", v.vid)
            t.add(" driven by ")
        else:
            t.add("a car driven by ")
        self.name_in_text(t, adult, "suspect")
        place = self._place_phrase(adult)
        t.add(f" {place}.")
        if adult.phone and r.random() < 0.4:
            t.add(" The driver's phone number is believed to be ")
            t.entity(T.phone_variant(r, adult.phone), "phone", adult.pid)
            t.add(".")
        self.indicators(t, ref, child, r.sample(list(T.INDICATORS), r.randint(0, 2)))
        author = self.officer()
        rec = {
            "ref": ref,
            "agency": "SDP",
            "received_at": when.isoformat(),
            "author": author.identifier,
            "title": "Intelligence log",
            "grading": r.choice(("B2", "C3", "B3", "E4")),
            "people": self.people_field([(child, "victim"), (adult, "suspect")], day, ref, m),
        }
        if v is not None:
            rec["vehicles"] = [{"registration": v.registration, "make": v.make, "colour": v.colour}]
            m.append(
                {
                    "record": ref,
                    "source": "field",
                    "field": "vehicles[0].registration",
                    "kind": "vehicle",
                    "entity": v.vid,
                    "text": v.registration,
                }
            )
        self.emit("intelligence", rec, t, m)

    def _place_phrase(self, adult: Person) -> str:
        r = self.rng
        biz = adult.business.name if adult.business else r.choice(("the takeaway", "a hotel"))
        phrase = r.choice(T.PLACES)
        return phrase.format(
            school=r.choice(("the school", "the academy")),
            business=biz,
            street=adult.home.address.split(",")[0].split(" ", 1)[1],
        )

    def missing(self, day: date, child: Person, adult: Person | None) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("MIS", day)
        went = self.at(day)
        back = went + timedelta(hours=r.randint(3, 60))
        t = T.Text()
        self.name_in_text(t, child, "victim")
        self.say(
            t,
            child,
            (
                " was reported missing by {his} carer",
                " went missing from home",
                " failed to return to the children's home",
                " was reported missing by mum",
            ),
        )
        t.add(f" at {went:%H%M}hrs and was found at {back:%H%M}hrs on {back:%d/%m/%Y}.")
        if adult is not None:
            self.say(
                t,
                child,
                (
                    " {She} was found in a flat with ",
                    " {She} was returned home by ",
                    " Officers located {her} with ",
                ),
            )
            self.name_in_text(t, adult, "associate")
            t.add(
                r.choice(
                    (
                        ", an adult male.",
                        ". No action was taken against the male.",
                        ", who was not spoken to.",
                    )
                )
            )
        self.indicators(
            t, ref, child, r.sample(["alcohol", "drugs", "gifts", "hotel"], r.randint(0, 2))
        )
        people = [(child, "victim")] + ([(adult, "associate")] if adult else [])
        rec = {
            "ref": ref,
            "agency": "SDP",
            "received_at": went.isoformat(),
            "author": self.officer().identifier,
            "title": "Missing from home",
            "missing_from": went.isoformat(),
            "returned": back.isoformat(),
            "people": self.people_field(people, day, ref, m),
        }
        self.emit("missing_episode", rec, t, m)

    def referral(self, day: date, child: Person, adult: Person | None) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        agency, rank = r.choice((("EDU", "Teacher"), ("DHT", "Nurse"), ("YTH", "YouthWorker")))
        author = self.officer((rank,), agency)
        ref = self.ref("REF", day)
        when = self.at(day)
        t = T.Text()
        t.add(
            r.choice(
                (
                    "We are writing to refer ",
                    "Referral concerning ",
                    "I am worried about ",
                    "Concerns have been raised about ",
                )
            )
        )
        self.name_in_text(t, child, "victim")
        t.add(T.age_phrase(r, child.age_on(day), end=True) + ".")
        if adult is not None:
            self.say(
                t,
                child,
                (
                    " {She} has been seen with ",
                    " Staff have seen {her} with ",
                    " {She} talks about ",
                ),
            )
            self.name_in_text(t, adult, "suspect")
            self.say(
                t,
                child,
                (
                    ", who is much older.",
                    ", an adult who collects {her} from school.",
                    ", whom {she} calls {his} boyfriend.",
                ),
            )
        self.indicators(
            t,
            ref,
            child,
            r.sample(
                ["truancy", "sexual_health", "self_harm", "gifts", "older_boyfriend"],
                r.randint(1, 3),
            ),
        )
        rec = {
            "ref": ref,
            "agency": agency,
            "received_at": when.isoformat(),
            "author": author.identifier,
            "title": "Referral to children's social care",
            "people": self.people_field([(child, "victim")], day, ref, m),
        }
        if r.random() < 0.1:
            self._email_referral(rec, t, author, m)
            return
        self.emit("referral", rec, t, m)

    def _email_referral(
        self, rec: dict[str, Any], t: T.Text, author: Officer, m: list[dict[str, Any]]
    ) -> None:
        msg = EmailMessage()
        msg["From"] = (
            f"{author.name.full} <{author.identifier.lower()}@{author.agency.lower()}.example.org>"
        )
        msg["To"] = "mash@csc.example.org"
        msg["Subject"] = f"Referral {rec['ref']}"
        msg["Date"] = datetime.fromisoformat(rec["received_at"]).strftime(
            "%a, %d %b %Y %H:%M:%S +0000"
        )
        msg["Message-ID"] = f"<{rec['ref'].replace('/', '.')}@{author.agency.lower()}.example.org>"
        body = t.value()
        msg.set_content(body)
        for mention in m:
            if mention["source"] == "field":
                mention["source"] = "dropped"  # the e-mail carries only its text
        m.extend(self.text_mentions(rec["ref"], t, document="body"))
        for mention in m:
            if mention["source"] != "dropped":
                self.out.jsonl("ground_truth/mentions.jsonl", mention)
        self.records += 1
        self.out.document(f"documents/email/{rec['ref'].replace('/', '-')}.eml", msg.as_bytes())

    def disclosure_report(self, day: date, net: Network, child: Person, adult: Person) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("CR", day)
        when = self.at(day)
        code, desc = r.choice(SEXUAL_OFFENCES[:4] if child.age_on(day) < 16 else SEXUAL_OFFENCES)
        if child.name.sex == "male":
            desc = desc.replace("female", "male")
        t = T.Text()
        t.add(r.choice(("Victim ", "The informant ", "")))
        self.name_in_text(t, child, "victim")
        t.add(T.age_phrase(r, child.age_on(day)) + " ")
        t.add(
            r.choice(
                (
                    "disclosed that ",
                    "has told her social worker that ",
                    "stated in interview that ",
                    "reported that ",
                )
            )
        )
        self.name_in_text(t, adult, "suspect")
        self.say(
            t,
            child,
            (
                " had sex with {her} ",
                " raped {her} ",
                " sexually assaulted {her} ",
                " made {her} have sex with his friends ",
            ),
        )
        t.add(self._place_phrase(adult) + ".")
        other = r.choice(net.adults)
        if other is not adult and r.random() < 0.5:
            t.add(" {She} also named ".format(**_pro(child)))
            self.name_in_text(t, other, "suspect")
            t.add(" as being present.")
        self.indicators(
            t, ref, child, r.sample(["alcohol", "drugs", "gifts", "missing"], r.randint(1, 2))
        )
        reporter = self.officer()
        decisions, recorded, failure = self._recording_decision(when, reporter, code)
        rec = {
            "ref": ref,
            "agency": "SDP",
            "received_at": when.isoformat(),
            "author": reporter.identifier,
            "title": "Crime report",
            "disclosure": True,
            "offence": {"code": code, "description": desc, "group": "sexual_offences"},
            "people": self.people_field([(child, "victim"), (adult, "suspect")], day, ref, m),
            "decisions": decisions,
        }
        if net.first_disclosure is None:
            net.first_disclosure = day
        self.out.jsonl(
            "ground_truth/disclosures.jsonl",
            {
                "record": ref,
                "discloses": True,
                "structured": True,
                "offence": code,
                "recorded": recorded,
                "failure": failure,
            },
        )
        self.emit("crime_report", rec, t, m)

    def _recording_decision(
        self, when: datetime, reporter: Officer, code: str
    ) -> tuple[list[dict[str, Any]], bool, str]:
        r = self.rng
        progress = (when.date() - self.district.start).days / max(
            1, (self.district.end - self.district.start).days
        )
        fail = r.random() < 0.55 - 0.4 * progress  # failures become rarer as years pass
        supervisor = next(
            (o for o in self.district.officers if o.identifier == reporter.supervisor), reporter
        )
        if not fail:
            at = when + timedelta(hours=r.randint(1, 20))
            return (
                [
                    {
                        "kind": "crime_recording",
                        "outcome": "recorded",
                        "offence_code": code,
                        "reason": "Disclosure of a sexual offence; recorded under NCRS.",
                        "by": supervisor.identifier,
                        "at": at.isoformat(),
                    }
                ],
                True,
                "none",
            )
        kind = r.choices(("no_decision", "not_recorded", "late"), (0.35, 0.45, 0.2))[0]
        if kind == "no_decision":
            return [], False, kind
        if kind == "late":
            at = when + timedelta(days=r.randint(3, 30))
            return (
                [
                    {
                        "kind": "crime_recording",
                        "outcome": "recorded",
                        "offence_code": code,
                        "reason": "Recorded following review.",
                        "by": supervisor.identifier,
                        "at": at.isoformat(),
                    }
                ],
                True,
                kind,
            )
        at = when + timedelta(hours=r.randint(1, 20))
        return (
            [
                {
                    "kind": "crime_recording",
                    "outcome": "not_recorded",
                    "offence_code": None,
                    "reason": r.choice(BAD_REASONS),
                    "by": supervisor.identifier,
                    "at": at.isoformat(),
                }
            ],
            False,
            kind,
        )

    def background(self, day: date) -> None:
        """Ordinary demand: the volume that crowds out harm when only volume is counted."""
        r, d = self.rng, self.district
        choice = r.random()
        if choice < 0.45:
            self._ordinary_crime(day, r.choice(d.adults), r.choice(d.people))
        elif choice < 0.6:
            self.missing(day, r.choice(d.children), None)
        elif choice < 0.75:
            self.referral(day, r.choice(d.children), None)
        else:
            self._ordinary_intelligence(day, r.choice(d.adults))

    def _ordinary_crime(self, day: date, suspect: Person, victim: Person) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        code, desc, group = r.choice(OTHER_OFFENCES)
        ref = self.ref("CR", day)
        when = self.at(day)
        t = T.Text()
        t.add(T.when_phrase(r, when) + " ")
        self.name_in_text(t, victim, "victim")
        t.add(r.choice((" reported that ", " called police to say that ", " states that ")))
        self.name_in_text(t, suspect, "suspect")
        t.add(
            r.choice(
                (
                    " had damaged her car.",
                    " took items without paying.",
                    " assaulted him.",
                    " broke into the house.",
                    " stole a bag from the vehicle.",
                )
            )
        )
        author = self.officer()
        sup = next((o for o in self.district.officers if o.identifier == author.supervisor), author)
        at = when + timedelta(hours=r.randint(1, 20))
        rec = {
            "ref": ref,
            "agency": "SDP",
            "received_at": when.isoformat(),
            "author": author.identifier,
            "title": "Crime report",
            "disclosure": True,
            "offence": {"code": code, "description": desc, "group": group},
            "people": self.people_field([(victim, "victim"), (suspect, "suspect")], day, ref, m),
            "decisions": [
                {
                    "kind": "crime_recording",
                    "outcome": "recorded",
                    "offence_code": code,
                    "reason": "Notifiable offence recorded.",
                    "by": sup.identifier,
                    "at": at.isoformat(),
                }
            ],
        }
        self.out.jsonl(
            "ground_truth/disclosures.jsonl",
            {
                "record": ref,
                "discloses": True,
                "structured": True,
                "offence": code,
                "recorded": True,
                "failure": "none",
            },
        )
        self.emit("crime_report", rec, t, m)

    def _ordinary_intelligence(self, day: date, adult: Person) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("INT", day)
        when = self.at(day)
        t = T.Text()
        t.add(T.when_phrase(r, when) + " ")
        self.name_in_text(t, adult, "suspect")
        t.add(
            r.choice(
                (
                    " is believed to be dealing cannabis from his address.",
                    " has been seen driving without insurance.",
                    " is involved in an ongoing neighbour dispute.",
                    " was seen acting suspiciously near parked cars.",
                )
            )
        )
        rec = {
            "ref": ref,
            "agency": "SDP",
            "received_at": when.isoformat(),
            "author": self.officer().identifier,
            "title": "Intelligence log",
            "grading": r.choice(("C3", "B2", "E4")),
            "people": self.people_field([(adult, "suspect")], day, ref, m),
        }
        self.emit("intelligence", rec, t, m)

    def minutes(self, day: date, discussed: list[tuple[Network, Person]]) -> None:
        """A multi-agency meeting that names children and men, often agreeing no action."""
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("MIN", day)
        chair = self.officer(("Insp", "DI"))
        t = T.Text()
        t.add(f"Multi-agency sexual exploitation meeting, {day:%d %B %Y}\n")
        t.add(
            f"Chair: {chair.rank} {chair.name.family}. Present: police, children's social care, "
            "health, education, youth service.\n\n"
        )
        for i, (net, child) in enumerate(discussed, 1):
            adult = r.choice(net.adults)
            t.add(f"{i}. ")
            self.name_in_text(t, child, "victim")
            t.add(
                r.choice(
                    (
                        " continues to go missing. ",
                        " was discussed. ",
                        " remains a concern to school. ",
                    )
                )
            )
            self.say(
                t,
                child,
                (
                    "{She} is known to associate with ",
                    "Partners report {she} is seen with ",
                    "Intelligence links {her} to ",
                ),
            )
            self.name_in_text(t, adult, "suspect")
            if adult.business and r.random() < 0.6:
                t.add(" who works at ")
                t.entity(adult.business.name, "organisation", adult.business.bid)
            t.add(". ")
            t.add(
                r.choice(
                    (
                        "ACTION: none agreed.",
                        "ACTION: school to monitor.",
                        "ACTION: refer to CSE team.",
                        "ACTION: police to speak to the male.",
                        "No further action agreed.",
                    )
                )
            )
            t.add("\n")
        title = f"Multi-agency meeting minutes {day:%Y-%m}"
        body = t.value()
        m.extend(self.text_mentions(ref, t))
        for mention in m:
            self.out.jsonl("ground_truth/mentions.jsonl", mention)
        self.records += 1
        stem = f"documents/minutes/{day:%Y-%m-%d}-{ref.split('/')[-1]}"
        if r.random() < 0.5:
            self.out.document(stem + ".txt", body)
        else:
            # HTML: the ground-truth offsets are into the text that the HTML renders to.
            paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n") if p)
            self.out.document(
                stem + ".html",
                f"<html><head><title>{html.escape(title)}</title>"
                f"</head><body>\n{paras}</body></html>\n",
            )

    def complaint(self, day: date) -> None:
        r, m = self.rng, list[dict[str, Any]]()
        ref = self.ref("COM", day)
        officer = self.officer(("PC", "DC", "PS", "DS", "Insp", "DI"))
        parent = r.choice(self.district.adults)
        t = T.Text()
        t.add(r.choice(("I want to complain about ", "My complaint is about ")))
        t.add(f"{officer.rank} {officer.name.family}")
        t.add(
            r.choice(
                (
                    ", who told me my daughter was making it up.",
                    " who refused to take a statement about the men.",
                    " who said nothing could be done because she was 'willing'.",
                )
            )
        )
        rec = {
            "ref": ref,
            "agency": "OPC",
            "received_at": self.at(day).isoformat(),
            "title": "Complaint against police",
            "subject_officer": officer.identifier,
            "people": self.people_field([(parent, "reporter")], day, ref, m),
        }
        self.emit("complaint", rec, t, m)

    def whistleblower(self, day: date) -> None:
        r = self.rng
        ref = self.ref("WB", day)
        t = T.Text()
        t.add(
            r.choice(
                (
                    "Analysts' reports on men abusing girls were suppressed by managers.",
                    "I was told to remove references to the taxi firm from my report.",
                    "Senior officers knew about the network and did nothing.",
                )
            )
        )
        rec = {
            "ref": ref,
            "agency": "OPC",
            "received_at": self.at(day).isoformat(),
            "title": "Anonymous disclosure",
            "anonymous": True,
            "people": [],
        }
        self.emit("disclosure", rec, t, [])

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
                self.background(first + timedelta(days=r.randint(0, 27)))
            if discussed:
                self.minutes(first + timedelta(days=r.randint(10, 20)), discussed[:12])
            if r.random() < 0.3:
                self.complaint(first + timedelta(days=r.randint(0, 27)))
            if r.random() < 0.08:
                self.whistleblower(first + timedelta(days=r.randint(0, 27)))
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
            self.intelligence(day(), child, adult)
        if stage >= 1 and r.random() < 0.12 * stage:
            self.missing(day(), child, adult if r.random() < 0.6 else None)
        if stage >= 1 and r.random() < 0.12:
            self.referral(day(), child, adult if r.random() < 0.5 else None)
        if stage >= 2 and r.random() < 0.08 * stage:
            self.disclosure_report(day(), net, child, adult)
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
