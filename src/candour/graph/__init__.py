"""The network: persons, records, vehicles, phones, places and businesses, and how they connect.

Built with NetworkX from linked mentions: a person is joined to each record that names them
(with the role the record gives), and a record to every vehicle, phone, postcode and business
it names. Two people are close when they share records, cars or phones. Reading the graph is
reading records about children, so every command that shows records logs the reads.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from candour.errors import NotFoundError
from candour.store.models import Entity, Extraction, Mention, Record

CHILD_ROLES = {"victim"}
ADULT_ROLES = {"suspect", "associate"}


def _thing(kind: str, text: str, norm: str | None, attrs: dict[str, Any]) -> str | None:
    from candour.extract.domain import _phone

    if kind == "vehicle":
        plate = re.sub(r"\s", "", (norm or text)).upper()
        return f"V:{plate}" if len(plate.rstrip("*")) >= 5 else None
    if kind == "phone":
        digits = _phone(text)
        return f"T:{digits}" if digits else None
    if kind == "location":
        pc = attrs.get("postcode")
        if not pc:
            m = re.search(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b", text.upper())
            pc = f"{m[1]} {m[2]}" if m else None
        return f"L:{pc}" if pc else None
    if kind == "organisation":
        return f"B:{(norm or text).upper()}"
    if kind == "identifier":
        return f"I:{(norm or text).lower()}"
    return None


def current_mentions() -> Any:
    """Mentions from fields and from each record's current extraction, with their person."""
    return (
        select(Mention.record_id, Mention.kind, Mention.text, Mention.normalised,
               Mention.attributes, Mention.entity_id, Mention.role)
        .outerjoin(Extraction, Extraction.id == Mention.extraction_id)
        .where(or_(Mention.extraction_id.is_(None), Extraction.current.is_(True)))
    )  # fmt: skip


def build(session: Session) -> nx.Graph:
    """The whole graph from the store (current extractions and field mentions)."""
    g: nx.Graph = nx.Graph()
    persons = {
        eid: (uid, display)
        for eid, uid, display in session.execute(
            select(Entity.id, Entity.uid, Entity.display).where(Entity.kind == "person")
        )
    }
    records = {
        rid: (uid, kind, received)
        for rid, uid, kind, received in session.execute(
            select(Record.id, Record.uid, Record.kind, Record.received_at)
        )
    }
    for rid, kind, text, norm, attrs, eid, role in session.execute(current_mentions()):
        ruid, rkind, received = records[rid]
        rnode = f"R:{ruid}"
        if rnode not in g:
            g.add_node(rnode, type="record", kind=rkind, received=received.isoformat())
        if kind == "person":
            if eid is None or eid not in persons:
                continue
            puid, display = persons[eid]
            pnode = f"P:{puid}"
            if pnode not in g:
                g.add_node(pnode, type="person", label=display, child=False, adult=False)
            age = age_at(attrs or {}, received)
            if age is not None:
                g.nodes[pnode]["child" if age < 18 else "adult"] = True
            roles = g.edges[pnode, rnode]["roles"] if g.has_edge(pnode, rnode) else ""
            merged = sorted(set(filter(None, [*roles.split(","), role])))
            g.add_edge(pnode, rnode, roles=",".join(merged))
            continue
        node = _thing(kind, text, norm, attrs or {})
        if node is not None:
            if node not in g:
                g.add_node(node, type=kind, label=node[2:])
            g.add_edge(node, rnode)
    return g


def age_at(attrs: dict[str, Any], when: Any) -> int | None:
    """A mention's age at its record's time, from a stated age or a date of birth."""
    age = attrs.get("age")
    if isinstance(age, int):
        return age
    dob = attrs.get("dob")
    if isinstance(dob, str) and len(dob) >= 10 and when is not None:
        try:
            y, m, d = (int(x) for x in dob[:10].split("-"))
        except ValueError:
            return None
        return int(when.year - y - ((when.month, when.day) < (m, d)))
    return None


def is_child(g: nx.Graph, node: str) -> bool:
    """Named as a child in some record (an age or date of birth under 18 then). Roles alone do
    not say it: adults are victims too."""
    return bool(g.nodes[node].get("child"))


def person_node(g: nx.Graph, person: str) -> str:
    node = f"P:{person}"
    if node not in g:
        raise NotFoundError(f"no linked person '{person}' (run 'candour link')")
    return node


def roles_of(g: nx.Graph, pnode: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for r in g.neighbors(pnode):
        for role in g.edges[pnode, r]["roles"].split(","):
            if role:
                c[role] += 1
    return c


@dataclass(frozen=True)
class Neighbour:
    node: str
    type: str
    label: str
    via: int  # records in common


def neighbourhood(g: nx.Graph, person: str) -> tuple[list[str], list[Neighbour]]:
    """The person's records, and who and what shares them (with how many records)."""
    pnode = person_node(g, person)
    recs = sorted(r for r in g.neighbors(pnode))
    shared: Counter[str] = Counter()
    for r in recs:
        for n in g.neighbors(r):
            if n != pnode:
                shared[n] += 1
    out = [
        Neighbour(n, g.nodes[n]["type"], str(g.nodes[n].get("label", n)), k)
        for n, k in shared.most_common()
    ]
    return recs, out


def path(g: nx.Graph, a: str, b: str) -> list[str]:
    try:
        return list(nx.shortest_path(g, person_node(g, a), person_node(g, b)))
    except nx.NetworkXNoPath:
        raise NotFoundError(f"{a} and {b} are not connected") from None


def person_projection(g: nx.Graph) -> nx.Graph:
    """Persons joined when they share a record, a vehicle or a phone (weight = how often)."""
    p: nx.Graph = nx.Graph()
    for n, d in g.nodes(data=True):
        if d["type"] == "person":
            p.add_node(n, **d)
    for r, d in g.nodes(data=True):
        if d["type"] != "record":
            continue
        people = [n for n in g.neighbors(r) if g.nodes[n]["type"] == "person"]
        things = [n for n in g.neighbors(r) if g.nodes[n]["type"] in ("vehicle", "phone")]
        for t in things:
            people += [
                n
                for r2 in g.neighbors(t)
                for n in g.neighbors(r2)
                if g.nodes[n]["type"] == "person"
            ]
        people = sorted(set(people))
        for i, x in enumerate(people):
            for y in people[i + 1 :]:
                w = p.edges[x, y]["weight"] + 1 if p.has_edge(x, y) else 1
                p.add_edge(x, y, weight=w)
    return p


@dataclass(frozen=True)
class Community:
    members: list[str]
    children: int
    adults: int
    organisers: list[tuple[str, float]]


def communities(g: nx.Graph, seed: int = 1) -> list[Community]:
    """Louvain communities of the person projection, with likely organisers by betweenness."""
    p = person_projection(g)
    if p.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(p, weight="weight", seed=seed)
    between = nx.betweenness_centrality(p, k=min(500, p.number_of_nodes()), seed=seed)
    out = []
    for part in parts:
        if len(part) < 2:
            continue
        kids = sum(1 for n in part if is_child(g, n))
        adults = sum(1 for n in part if any(roles_of(g, n)[r] for r in ADULT_ROLES))
        # A child is never proposed as an organiser, whatever their place in the network.
        candidates = [n for n in part if not is_child(g, n)]
        top = sorted(((n, between.get(n, 0.0)) for n in candidates), key=lambda x: -x[1])[:3]
        out.append(Community(sorted(part), kids, adults, top))
    return sorted(out, key=lambda c: (-c.children, -len(c.members)))


def without_records(g: nx.Graph, keep: set[str]) -> nx.Graph:
    """The graph less every record node not in `keep` (uids), and what only they connected:
    what a user may see of the network is what their readable records show."""
    drop = [n for n, d in g.nodes(data=True) if d["type"] == "record" and n[2:] not in keep]
    view = g.copy()
    view.remove_nodes_from(drop)
    view.remove_nodes_from([n for n in list(view.nodes) if view.degree(n) == 0])
    return view


def records_in(g: nx.Graph, nodes: list[str] | None = None) -> list[str]:
    """Record uids among these nodes (default: the whole graph)."""
    pool = g.nodes if nodes is None else nodes
    return sorted(n[2:] for n in pool if n.startswith("R:"))


def export(g: nx.Graph, path_out: str) -> None:
    """GraphML or GEXF (by extension) for Gephi or i2."""
    if path_out.endswith(".gexf"):
        nx.write_gexf(g, path_out)
    else:
        nx.write_graphml(g, path_out)
