"""Networks count children by age, not by role, and never propose a child as an organiser."""

from __future__ import annotations

from datetime import UTC, datetime

import networkx as nx

from candour.graph import age_at, communities


def _graph() -> nx.Graph:
    g: nx.Graph = nx.Graph()
    people = {
        "P:hub": dict(child=True, adult=False),  # a child everyone's records name
        "P:a1": dict(child=False, adult=True),
        "P:a2": dict(child=False, adult=True),
        "P:v30": dict(child=False, adult=True),  # an adult victim
    }
    for n, attrs in people.items():
        g.add_node(n, type="person", label=n[2:], **attrs)
    for i, (p, role) in enumerate([("P:a1", "suspect"), ("P:a2", "suspect"), ("P:v30", "victim")]):
        r = f"R:{i}"
        g.add_node(r, type="record", kind="intelligence", received="2010-01-01")
        g.add_edge("P:hub", r, roles="victim")
        g.add_edge(p, r, roles=role)
    return g


def test_children_are_counted_by_age_and_never_organisers() -> None:
    (net,) = communities(_graph())
    assert net.children == 1  # the adult victim is not counted as a child
    assert "P:hub" not in [n for n, _ in net.organisers]
    assert net.organisers  # the adults are still proposed


def test_age_at_from_age_or_date_of_birth() -> None:
    when = datetime(2010, 6, 1, tzinfo=UTC)
    assert age_at({"age": 14}, when) == 14
    assert age_at({"dob": "1996-06-02"}, when) == 13 and age_at({"dob": "1996-06-01"}, when) == 14
    assert age_at({"dob": "not a date"}, when) is None and age_at({}, when) is None
