"""Persons and networks: the graph, a person's links explained, and analysts' decisions.

What a user sees of the network is what the records they may read show: the graph is cut to
readable records before any answer is computed, and each record an answer shows is consulted
(logged) through the gate. An export is a disclosure, logged on every record it contains."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from candour.auth.capabilities import Capability, require
from candour.auth.gate import consult, readable_roots, refused
from candour.errors import NotFoundError
from candour.store.enums import EventAction

if TYPE_CHECKING:
    import networkx as nx

    from candour.app.core import Candour
    from candour.graph import Community, Neighbour
    from candour.link.explain import Explanation
    from candour.store.access import Actor


@dataclass
class PersonView:
    person: str
    label: str
    records: list[str]
    roles: list[tuple[str, int]]
    near: list[Neighbour]


@dataclass
class PathStep:
    node: str
    type: str
    label: str
    kind: str | None = None
    received: str | None = None


class PeopleService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def _visible_graph(self, session: Any, actor: Actor) -> nx.Graph:
        from candour import graph

        g = graph.build(session)
        uids = graph.records_in(g)
        keep = readable_roots(session, actor, _roots(session, uids))
        return graph.without_records(g, _uids_of_roots(session, uids, keep))

    def person(
        self, actor: Actor, person: str, purpose: str, break_glass: str | None = None
    ) -> PersonView:
        from candour import graph

        with self.app.store().transaction() as session:
            g = graph.build(session)
            node = f"P:{person}"
            if node not in g:
                raise refused()
            mine = graph.records_in(g, list(g.neighbors(node)))
            seen = consult(session, actor, mine, purpose, break_glass=break_glass, partial=True)
            allowed = _uids_of_roots(session, mine, {r.root_uid for r in seen.records})
            view = graph.without_records(g, allowed)
            recs, near = graph.neighbourhood(view, person)
            roles = graph.roles_of(view, node).most_common()
            return PersonView(
                person, str(g.nodes[node]["label"]), graph.records_in(view, recs), roles, near
            )

    def path(self, actor: Actor, a: str, b: str, purpose: str) -> list[PathStep]:
        from candour import graph

        with self.app.store().transaction() as session:
            view = self._visible_graph(session, actor)
            try:
                steps = graph.path(view, a, b)
            except NotFoundError:
                raise refused() from None
            consult(session, actor, graph.records_in(view, steps), purpose)
            out = []
            for n in steps:
                d = view.nodes[n]
                out.append(
                    PathStep(
                        n[2:], d["type"], str(d.get("label", "")), d.get("kind"), d.get("received")
                    )
                )
            return out

    def communities(
        self, actor: Actor, purpose: str, top: int = 10
    ) -> tuple[list[Community], dict[str, str], int]:
        """Networks among the records the user may read; the records of the networks shown
        are consulted."""
        from candour import graph

        with self.app.store().transaction() as session:
            view = self._visible_graph(session, actor)
            found = graph.communities(view)
            shown = found[:top]
            recs = sorted(
                {
                    r
                    for c in shown
                    for p in c.members
                    for r in graph.records_in(view, list(view.neighbors(p)))
                }
            )
            if recs:
                consult(session, actor, recs, purpose)
            labels = {n: str(view.nodes[n].get("label", "")) for c in shown for n in c.members}
            return shown, labels, len(found)

    def export(self, actor: Actor, out: Path, purpose: str) -> tuple[int, int]:
        """GraphML or GEXF of the network the user may see: a disclosure of every record in it."""
        from candour import graph

        with self.app.store().transaction() as session:
            view = self._visible_graph(session, actor)
            recs = graph.records_in(view)
            if not recs:
                raise refused()
            consult(session, actor, recs, purpose, action=EventAction.DISCLOSE)
            graph.export(view, str(out))
            return view.number_of_nodes(), view.number_of_edges()

    def explain(self, actor: Actor, person: str, purpose: str) -> Explanation:
        from sqlalchemy import select

        from candour.link.explain import explain_person
        from candour.store.models import Entity, Mention, Record

        require(actor, Capability.DECIDE_LINKS)
        with self.app.store().transaction() as session:
            uids = list(
                session.scalars(
                    select(Record.uid)
                    .join(Mention, Mention.record_id == Record.id)
                    .join(Entity, Entity.id == Mention.entity_id)
                    .where(Entity.uid == person)
                    .distinct()
                )
            )
            if not uids:
                raise refused()
            seen = consult(session, actor, uids, purpose, partial=True)
            return explain_person(
                session,
                person,
                self.app.models_dir,
                {r.id for r in seen.records} | _older(session, seen.records),
            )

    def decide(self, actor: Actor, a: int, b: int, verdict: str, reason: str) -> None:
        from candour.link.decisions import decide

        require(actor, Capability.DECIDE_LINKS)
        with self.app.store().transaction() as session:
            decide(session, actor, [(a, b)], verdict, "pair", reason)

    def merge(self, actor: Actor, a: str, b: str, reason: str) -> int:
        from candour.link.decisions import merge

        require(actor, Capability.DECIDE_LINKS)
        with self.app.store().transaction() as session:
            return merge(session, actor, a, b, reason)

    def split(self, actor: Actor, person: str, mentions: list[int], reason: str) -> int:
        from candour.link.decisions import split

        require(actor, Capability.DECIDE_LINKS)
        with self.app.store().transaction() as session:
            return split(session, actor, person, mentions, reason)

    def confirm(self, actor: Actor, person: str, reason: str) -> int:
        from candour.link.decisions import confirm

        require(actor, Capability.DECIDE_LINKS)
        with self.app.store().transaction() as session:
            return confirm(session, actor, person, reason)


def _roots(session: Any, uids: list[str]) -> list[str]:
    from sqlalchemy import select

    from candour.store.models import Record

    out: set[str] = set()
    for start in range(0, len(uids), 900):
        chunk = uids[start : start + 900]
        out.update(session.scalars(select(Record.root_uid).where(Record.uid.in_(chunk))))
    return sorted(out)


def _uids_of_roots(session: Any, uids: list[str], roots: set[str]) -> set[str]:
    from sqlalchemy import select

    from candour.store.models import Record

    keep: set[str] = set()
    for start in range(0, len(uids), 900):
        chunk = uids[start : start + 900]
        for uid, root in session.execute(
            select(Record.uid, Record.root_uid).where(Record.uid.in_(chunk))
        ):
            if root in roots:
                keep.add(uid)
    return keep


def _older(session: Any, records: list[Any]) -> set[int]:
    """Ids of every version of the consulted records (mentions sit on the version they came in)."""
    from sqlalchemy import select

    from candour.store.models import Record

    roots = sorted({r.root_uid for r in records})
    return set(session.scalars(select(Record.id).where(Record.root_uid.in_(roots))))
