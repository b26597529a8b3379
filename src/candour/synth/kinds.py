"""The kinds of record the district produces: each function writes one record (or document)
with its ground truth, through the generator that owns the random state and the output."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from candour.synth import text as T
from candour.synth.world import Network, Officer, Person

if TYPE_CHECKING:
    from candour.synth.generate import Generator


def pronouns(p: Person) -> dict[str, str]:
    if p.name.sex == "male":
        return {"she": "he", "She": "He", "her": "him", "his": "his"}
    return {"she": "she", "She": "She", "her": "her", "his": "her"}


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


# -- record kinds (each writes one record and its ground truth)
def intelligence(g: Generator, day: date, child: Person, adult: Person) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("INT", day)
    when = g.at(day)
    t = T.Text()
    t.add(T.when_phrase(r, when) + " ")
    g.name_in_text(t, child, "victim")
    t.add(T.age_phrase(r, child.age_on(day)) + " " + r.choice(T.SEEN_WITH) + " ")
    v = adult.vehicle
    if v is not None:
        t.add(f"a {v.colour} {v.make} registration ")
        t.entity(T.plate_variant(r, v), "vehicle", v.vid)
        t.add(" driven by ")
    else:
        t.add("a car driven by ")
    g.name_in_text(t, adult, "suspect")
    place = _place_phrase(g, adult)
    t.add(f" {place}.")
    if adult.phone and r.random() < 0.4:
        t.add(" The driver's phone number is believed to be ")
        t.entity(T.phone_variant(r, adult.phone), "phone", adult.pid)
        t.add(".")
    g.indicators(t, ref, child, r.sample(list(T.INDICATORS), r.randint(0, 2)))
    author = g.officer()
    rec = {
        "ref": ref,
        "agency": "SDP",
        "received_at": when.isoformat(),
        "author": author.identifier,
        "title": "Intelligence log",
        "grading": r.choice(("B2", "C3", "B3", "E4")),
        "people": g.people_field([(child, "victim"), (adult, "suspect")], day, ref, m),
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
    g.emit("intelligence", rec, t, m)


def _place_phrase(g: Generator, adult: Person) -> str:
    r = g.rng
    biz = adult.business.name if adult.business else r.choice(("the takeaway", "a hotel"))
    phrase = r.choice(T.PLACES)
    return phrase.format(
        school=r.choice(("the school", "the academy")),
        business=biz,
        street=adult.home.address.split(",")[0].split(" ", 1)[1],
    )


def missing(g: Generator, day: date, child: Person, adult: Person | None) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("MIS", day)
    went = g.at(day)
    back = went + timedelta(hours=r.randint(3, 60))
    t = T.Text()
    g.name_in_text(t, child, "victim")
    g.say(
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
        g.say(
            t,
            child,
            (
                " {She} was found in a flat with ",
                " {She} was returned home by ",
                " Officers located {her} with ",
            ),
        )
        g.name_in_text(t, adult, "associate")
        t.add(
            r.choice(
                (
                    ", an adult male.",
                    ". No action was taken against the male.",
                    ", who was not spoken to.",
                )
            )
        )
    g.indicators(t, ref, child, r.sample(["alcohol", "drugs", "gifts", "hotel"], r.randint(0, 2)))
    people = [(child, "victim")] + ([(adult, "associate")] if adult else [])
    rec = {
        "ref": ref,
        "agency": "SDP",
        "received_at": went.isoformat(),
        "author": g.officer().identifier,
        "title": "Missing from home",
        "missing_from": went.isoformat(),
        "returned": back.isoformat(),
        "people": g.people_field(people, day, ref, m),
    }
    g.emit("missing_episode", rec, t, m)


def referral(g: Generator, day: date, child: Person, adult: Person | None) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    agency, rank = r.choice((("EDU", "Teacher"), ("DHT", "Nurse"), ("YTH", "YouthWorker")))
    author = g.officer((rank,), agency)
    ref = g.ref("REF", day)
    when = g.at(day)
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
    g.name_in_text(t, child, "victim")
    t.add(T.age_phrase(r, child.age_on(day), end=True) + ".")
    if adult is not None:
        g.say(
            t,
            child,
            (
                " {She} has been seen with ",
                " Staff have seen {her} with ",
                " {She} talks about ",
            ),
        )
        g.name_in_text(t, adult, "suspect")
        g.say(
            t,
            child,
            (
                ", who is much older.",
                ", an adult who collects {her} from school.",
                ", whom {she} calls {his} boyfriend.",
            ),
        )
    g.indicators(
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
        "people": g.people_field([(child, "victim")], day, ref, m),
    }
    if r.random() < 0.1:
        _email_referral(g, rec, t, author, m)
        return
    g.emit("referral", rec, t, m)


def _email_referral(
    g: Generator, rec: dict[str, Any], t: T.Text, author: Officer, m: list[dict[str, Any]]
) -> None:
    msg = EmailMessage()
    msg["From"] = (
        f"{author.name.full} <{author.identifier.lower()}@{author.agency.lower()}.example.org>"
    )
    msg["To"] = "mash@csc.example.org"
    msg["Subject"] = f"Referral {rec['ref']}"
    msg["Date"] = datetime.fromisoformat(rec["received_at"]).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg["Message-ID"] = f"<{rec['ref'].replace('/', '.')}@{author.agency.lower()}.example.org>"
    body = t.value()
    msg.set_content(body)
    for mention in m:
        if mention["source"] == "field":
            mention["source"] = "dropped"  # the e-mail carries only its text
    m.extend(g.text_mentions(rec["ref"], t, document="body"))
    for mention in m:
        if mention["source"] != "dropped":
            g.out.jsonl("ground_truth/mentions.jsonl", mention)
    g.records += 1
    g.out.document(f"documents/email/{rec['ref'].replace('/', '-')}.eml", msg.as_bytes())


def disclosure_report(g: Generator, day: date, net: Network, child: Person, adult: Person) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("CR", day)
    when = g.at(day)
    code, desc = r.choice(SEXUAL_OFFENCES[:4] if child.age_on(day) < 16 else SEXUAL_OFFENCES)
    if child.name.sex == "male":
        desc = desc.replace("female", "male")
    t = T.Text()
    t.add(r.choice(("Victim ", "The informant ", "")))
    g.name_in_text(t, child, "victim")
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
    g.name_in_text(t, adult, "suspect")
    g.say(
        t,
        child,
        (
            " had sex with {her} ",
            " raped {her} ",
            " sexually assaulted {her} ",
            " made {her} have sex with his friends ",
        ),
    )
    t.add(_place_phrase(g, adult) + ".")
    other = r.choice(net.adults)
    if other is not adult and r.random() < 0.5:
        t.add(" {She} also named ".format(**pronouns(child)))
        g.name_in_text(t, other, "suspect")
        t.add(" as being present.")
    g.indicators(t, ref, child, r.sample(["alcohol", "drugs", "gifts", "missing"], r.randint(1, 2)))
    reporter = g.officer()
    decisions, recorded, failure = _recording_decision(g, when, reporter, code)
    rec = {
        "ref": ref,
        "agency": "SDP",
        "received_at": when.isoformat(),
        "author": reporter.identifier,
        "title": "Crime report",
        "disclosure": True,
        "offence": {"code": code, "description": desc, "group": "sexual_offences"},
        "people": g.people_field([(child, "victim"), (adult, "suspect")], day, ref, m),
        "decisions": decisions,
    }
    if net.first_disclosure is None:
        net.first_disclosure = day
    g.out.jsonl(
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
    g.emit("crime_report", rec, t, m)


def _recording_decision(
    g: Generator, when: datetime, reporter: Officer, code: str
) -> tuple[list[dict[str, Any]], bool, str]:
    r = g.rng
    progress = (when.date() - g.district.start).days / max(
        1, (g.district.end - g.district.start).days
    )
    fail = r.random() < 0.55 - 0.4 * progress  # failures become rarer as years pass
    supervisor = next(
        (o for o in g.district.officers if o.identifier == reporter.supervisor), reporter
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


def background(g: Generator, day: date) -> None:
    """Ordinary demand: the volume that crowds out harm when only volume is counted."""
    r, d = g.rng, g.district
    choice = r.random()
    if choice < 0.45:
        _ordinary_crime(g, day, r.choice(d.adults), r.choice(d.people))
    elif choice < 0.6:
        missing(g, day, r.choice(d.children), None)
    elif choice < 0.75:
        referral(g, day, r.choice(d.children), None)
    else:
        _ordinary_intelligence(g, day, r.choice(d.adults))


def _ordinary_crime(g: Generator, day: date, suspect: Person, victim: Person) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    code, desc, group = r.choice(OTHER_OFFENCES)
    ref = g.ref("CR", day)
    when = g.at(day)
    t = T.Text()
    t.add(T.when_phrase(r, when) + " ")
    g.name_in_text(t, victim, "victim")
    t.add(r.choice((" reported that ", " called police to say that ", " states that ")))
    g.name_in_text(t, suspect, "suspect")
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
    author = g.officer()
    sup = next((o for o in g.district.officers if o.identifier == author.supervisor), author)
    at = when + timedelta(hours=r.randint(1, 20))
    rec = {
        "ref": ref,
        "agency": "SDP",
        "received_at": when.isoformat(),
        "author": author.identifier,
        "title": "Crime report",
        "disclosure": True,
        "offence": {"code": code, "description": desc, "group": group},
        "people": g.people_field([(victim, "victim"), (suspect, "suspect")], day, ref, m),
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
    g.out.jsonl(
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
    g.emit("crime_report", rec, t, m)


def _ordinary_intelligence(g: Generator, day: date, adult: Person) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("INT", day)
    when = g.at(day)
    t = T.Text()
    t.add(T.when_phrase(r, when) + " ")
    g.name_in_text(t, adult, "suspect")
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
        "author": g.officer().identifier,
        "title": "Intelligence log",
        "grading": r.choice(("C3", "B2", "E4")),
        "people": g.people_field([(adult, "suspect")], day, ref, m),
    }
    g.emit("intelligence", rec, t, m)


def minutes(g: Generator, day: date, discussed: list[tuple[Network, Person]]) -> None:
    """A multi-agency meeting that names children and men, often agreeing no action."""
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("MIN", day)
    chair = g.officer(("Insp", "DI"))
    t = T.Text()
    t.add(f"Multi-agency sexual exploitation meeting, {day:%d %B %Y}\n")
    t.add(
        f"Chair: {chair.rank} {chair.name.family}. Present: police, children's social care, "
        "health, education, youth service.\n\n"
    )
    for i, (net, child) in enumerate(discussed, 1):
        adult = r.choice(net.adults)
        t.add(f"{i}. ")
        g.name_in_text(t, child, "victim")
        t.add(
            r.choice(
                (
                    " continues to go missing. ",
                    " was discussed. ",
                    " remains a concern to school. ",
                )
            )
        )
        g.say(
            t,
            child,
            (
                "{She} is known to associate with ",
                "Partners report {she} is seen with ",
                "Intelligence links {her} to ",
            ),
        )
        g.name_in_text(t, adult, "suspect")
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
    m.extend(g.text_mentions(ref, t))
    for mention in m:
        g.out.jsonl("ground_truth/mentions.jsonl", mention)
    g.records += 1
    stem = f"documents/minutes/{day:%Y-%m-%d}-{ref.split('/')[-1]}"
    if r.random() < 0.5:
        g.out.document(stem + ".txt", body)
    else:
        # HTML: the ground-truth offsets are into the text that the HTML renders to.
        paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n") if p)
        g.out.document(
            stem + ".html",
            f"<html><head><title>{html.escape(title)}</title>"
            f"</head><body>\n{paras}</body></html>\n",
        )


def complaint(g: Generator, day: date) -> None:
    r, m = g.rng, list[dict[str, Any]]()
    ref = g.ref("COM", day)
    officer = g.officer(("PC", "DC", "PS", "DS", "Insp", "DI"))
    parent = r.choice(g.district.adults)
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
        "received_at": g.at(day).isoformat(),
        "title": "Complaint against police",
        "subject_officer": officer.identifier,
        "people": g.people_field([(parent, "reporter")], day, ref, m),
    }
    g.emit("complaint", rec, t, m)


def whistleblower(g: Generator, day: date) -> None:
    r = g.rng
    ref = g.ref("WB", day)
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
        "received_at": g.at(day).isoformat(),
        "title": "Anonymous disclosure",
        "anonymous": True,
        "people": [],
    }
    g.emit("disclosure", rec, t, [])
