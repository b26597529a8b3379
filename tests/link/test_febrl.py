"""The public benchmark: FEBRL4 (link) and FEBRL3 (deduplicate) without the SSN column."""

from __future__ import annotations

from candour.link.evaluate import febrl


def test_febrl_targets() -> None:
    f4, f3 = febrl()
    assert f4.f1 >= 0.997, f4
    assert f3.f1 >= 0.995, f3
