"""The import's fast paths give exactly what the general code gives (benchmarks/todays_map.py)."""

from __future__ import annotations

import re
from functools import reduce
from typing import Any

import pytest

from danvan.graph.schema import _coerce, _coercer, load_schema
from danvan.graph.types import Edge, merge_all_props, merge_props
from danvan.loaders.spreadsheets.load import parse_date

FOLDS: list[list[dict[str, Any]]] = [
    [{"name": "a", "sources": ["s#3-4"]}, {"name": "b", "sources": ["s#1-2"]}],
    [{"name": "a"}, {"note": "x"}, {"sources": ["s#2-3", "s#1-2"]}, {"name": "c"}],
    [{"sources": ["b", "a"]}, {"name": "no sources"}],  # sorted once a second one comes
    [{"aliases": ["Đăk Rưởng", "Đăk Ruông"]}, {"aliases": ["Đăk Ruồng", "Đăk Rưởng"]},
     {"name": "n"}, {"aliases": ["Kon Braih", "Đăk Ruông"]}],
    [{"aliases": []}, {"aliases": ["a", "a"]}, {"aliases": ["b"]}],
    [{"name": "n"}, {"aliases": ["x", "x"]}, {"aliases": None}, {"aliases": ["y"]}],
    [{"aliases": ["x"]}, {"aliases": None}, {"aliases": ["y"]}],
]


@pytest.mark.parametrize("props", FOLDS)
def test_merge_all_props_is_merge_props_in_order(props: list[dict[str, Any]]) -> None:
    expected = reduce(merge_props, props)
    got = merge_all_props(props)
    assert got == expected
    assert list(got) == list(expected)  # same key order too


@pytest.mark.parametrize("value", [["source-x#1-2"], [" source-x#1-2 "], ["  "], [],
                                   ["b", "a", "b"], ["Nguồn"], ["Nguo\u0302\u0300n"], ("a",),
                                   ["a", 1], "a", [None]])
def test_strings_fast_path_is_coerce(value: Any) -> None:
    spec = load_schema().labels["Village"].properties["sources"]
    assert spec.type == "strings"
    edge = Edge("PART_OF", "a", "b", {})
    fast = _coercer(spec)
    try:
        expected = _coerce(spec, value, "PART_OF[a->b]")
    except Exception as exc:  # the fast path must raise the same error, whatever it is
        with pytest.raises(type(exc), match=re.escape(str(exc))):
            fast(value, edge)
    else:
        assert fast(value, edge) == expected


def test_repeated_body_written_once_with_every_row_evidence(store: Any) -> None:
    schema = store.schema
    nodes = [schema.node("Source", key="import-x", title="Bảng phân công", kind="spreadsheet",
                         sources=[f"s#{i}-{i + 1}"]) for i in (3, 1, 2)]
    result = store.write(nodes)
    assert result.nodes_created == 1
    assert store.get(nodes[0].id).props["sources"] == ["s#1-2", "s#2-3", "s#3-4"]


@pytest.mark.parametrize("text", ["15/01/2026", " 1-2-2026 ", "2026-01-15", "2026-01-15 00:00:00"])
def test_parse_date_memo_repeats(text: str) -> None:
    assert parse_date(text) == parse_date(text) == parse_date(str(text))


@pytest.mark.parametrize("text", ["31/02/2026", "mai", "2026/13/01"])
def test_parse_date_memo_still_refuses(text: str) -> None:
    for _ in range(2):  # the second call is not a remembered answer
        with pytest.raises(ValueError):
            parse_date(text)


@pytest.mark.parametrize("xml", [b'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="AB12"/><x:c r="Z3" s="1">',
                                 b'<c r="A1x"><c r="B"><c  foo="1" r="XFD1048576">',
                                 b'<cc r="Q1"><c r="a1"><c r="C12"><c r="D7">'])
def test_column_scan_finds_the_cells_of_the_full_pattern(xml: bytes) -> None:
    from danvan.loaders.spreadsheets import sheet_limits

    full = {m[1] for m in sheet_limits._CELL.finditer(xml)}
    assert set(sheet_limits._CELL_COLUMN.findall(xml)) == full
