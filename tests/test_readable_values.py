"""Values as a board member reads them on the graph's cards: unit kinds in Vietnamese, dates d/m/yyyy."""

from __future__ import annotations

import re

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.reference.kb import load_kb
from danvan.visualisations.graphview import graph_view


def test_graph_cards_show_vietnamese_kinds_and_day_first_dates() -> None:
    store = EmbeddedStore(":memory:")
    load_kb(store)
    data = graph_view(store).data
    values = [str(v) for n in data["nodes"] for _, v in n["props"]]
    kinds = [v for n in data["nodes"] if n["group"] == "Unit" for k, v in n["props"] if k == "Loại"]
    assert kinds and "mass_organisation" not in kinds and "tổ chức chính trị - xã hội" in kinds
    assert not [v for v in values if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]
    assert [v for v in values if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", v)]
