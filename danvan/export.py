"""Data out: assignments as .xlsx/.csv in the import layout, the graph as GraphML, GEXF or JSON.

The sheet has the same columns as ``danvan import`` reads (headers in
Vietnamese, dates dd/mm/yyyy), one row per assignment and model, so an export
imported again changes nothing. Text that a spreadsheet would run as a formula
is written with a leading ``'`` (:mod:`danvan.cells`), which the import removes.
Graph formats use networkx's writers; list properties become "; "-joined strings
in GraphML/GEXF (they have no list type) and stay lists in node-link JSON.

    danvan export assignments.xlsx [--plan 133-KH/TU]
    danvan export graph.graphml [--ids commune-23488 --depth 1]

>>> sheet_rows([])
[]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from danvan.cells import safe_cell
from danvan.errors import ConfigError
from danvan.graph.store import Store
from danvan.graph.types import Subgraph

__all__ = ["GRAPH_FORMATS", "export_assignments", "export_graph", "sheet_rows",
           "subgraph", "to_networkx"]

GRAPH_FORMATS = ("graphml", "gexf", "json")
DATE_FORMAT = "d/m/yyyy"  # how the board writes dates


def _date(iso: str | None) -> str | None:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else None


def _date_cell(ws: Any, text: str) -> Any:
    """A real Excel date shown d/m/yyyy (the sheet rows carry dd/mm/yyyy text, which .csv keeps)."""
    import openpyxl

    cell = openpyxl.cell.WriteOnlyCell(ws, value=dt.datetime.strptime(text, "%d/%m/%Y").date())
    cell.number_format = DATE_FORMAT
    return cell


def sheet_columns() -> dict[str, str]:
    """Canonical column → header of an export: the import layout, and "Xã cũ" last (the legacy
    commune of a row in today's map, which tells same-named villages of one commune apart)."""
    from danvan.loaders.spreadsheets.load import EXTRA_HEADERS, HEADERS

    return {**HEADERS, "old_commune": EXTRA_HEADERS["old_commune"]}


REFORM = "2025-07-01"  # rows from this date on are written in today's map


def sheet_rows(items: Iterable[dict[str, Any]], provinces: dict[str, str] | None = None
               ) -> list[list[Any]]:
    """Rows in the :func:`sheet_columns` layout from ``assignments`` query items (one per model).

    Each row is written in the map of its own period, as the import reads it: from 1 July
    2025 today's commune, its province and the former commune ("Xã cũ"), no district;
    before (or undated) the legacy commune, district and province. Items may come in
    either map (a ``former_commune`` is the legacy commune of a 2025 one). ``provinces``:
    province name by district id and by 2025 commune id.
    """
    columns = sheet_columns()
    out = []
    for item in items:
        models = item["models"] or [None]
        today = (item.get("from") or "") >= REFORM
        former = item.get("former_commune")
        if today:
            commune, old, province_of = item["commune"], former, item["commune"]
        else:
            commune, old, province_of = former or item["commune"], None, item["district"]
        base = {
            "unit": item["unit"]["name"],
            "village": item["village"]["name"] if item["village"] else None,
            "commune": (commune or {}).get("name"), "old_commune": (old or {}).get("name"),
            "district": None if today else (item["district"] or {}).get("name"),
            "province": (provinces or {}).get((province_of or {}).get("id", "")),
            "plan": (item["plan"] or {}).get("number"),
            "from": _date(item["from"]), "until": _date(item["until"]),
            "households": item["households"], "note": item.get("note"),
        }
        for model in models:
            row = {**base, "model": model["name"] if model else None,
                   "field": model["field"] if model else None}
            out.append([row.get(column) for column in columns])
    return out


def _sheet(store: Store, plan: str | None) -> dict[str, Any]:
    """The ``assignment_sheet`` query's answer: every row (today's map) with its note and
    the province of each place, as the explorer's downloads write them."""
    from danvan.queries.catalogue import run

    return run(store, "assignment_sheet", plan=plan, map="2025")  # type: ignore[no-any-return]


def export_assignments(store: Store, path: str | Path, plan: str | None = None) -> int:
    """Write the assignments (of ``plan``, or all) to .xlsx or .csv; returns the row count."""
    out = Path(path)
    columns = sheet_columns()
    sheet = _sheet(store, plan)
    rows = sheet_rows(sheet["items"], sheet["provinces"])
    rows = [[safe_cell(v) for v in row] for row in rows]  # names like =HYPERLINK(…) stay text
    if out.suffix.lower() == ".csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns.values())
        writer.writerows(rows)
        _write(out, buf.getvalue().encode("utf-8-sig"))
    elif out.suffix.lower() == ".xlsx":
        import openpyxl
        from openpyxl.styles import Font

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Phân công")
        header = []
        for name in columns.values():
            cell = openpyxl.cell.WriteOnlyCell(ws, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        dates = {i for i, column in enumerate(columns) if column in ("from", "until")}
        for row in rows:
            ws.append([_date_cell(ws, v) if i in dates and v else v for i, v in enumerate(row)])
        book = io.BytesIO()
        wb.save(book)
        _write(out, book.getvalue())
    else:
        raise ConfigError(f"{out}: assignments export writes .xlsx or .csv")
    return len(rows)


def _write(out: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all: into a hidden sibling file, then renamed over ``out``
    (a full disk or a missing folder leaves no half-written sheet, and raises OSError)."""
    part = out.with_name(f".{out.name}.part")
    try:
        part.write_bytes(data)
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(out)) from None  # the file asked for, by name


def subgraph(store: Store, ids: Iterable[str] | None = None, depth: int = 0) -> Subgraph:
    """The whole graph, or ``ids`` and their neighbours up to ``depth`` hops."""
    if ids is None:
        return store.export()
    wanted = set(ids)
    frontier = set(wanted)
    for _ in range(depth):
        nxt = {e.target if e.source == i else e.source for i in frontier for e in store.edges_of(i)}
        frontier = nxt - wanted
        wanted |= nxt
    return store.export(wanted)


def _flat(props: dict[str, Any]) -> dict[str, Any]:
    return {k: "; ".join(map(str, v)) if isinstance(v, list) else v
            for k, v in props.items() if v is not None}


def to_networkx(graph: Subgraph, flat: bool = True) -> nx.MultiDiGraph:
    """A MultiDiGraph: node attrs ``label`` + properties, edge key and attr ``type`` + properties."""
    g = nx.MultiDiGraph()
    conv = _flat if flat else dict
    for n in sorted(graph.nodes, key=lambda n: n.id):
        g.add_node(n.id, label=n.label, **conv(n.props))
    for e in sorted(graph.edges, key=lambda e: e.key):
        g.add_edge(e.source, e.target, key=e.type, type=e.type, **conv(e.props))
    return g


def export_graph(store: Store, path: str | Path, ids: Iterable[str] | None = None,
                 depth: int = 0) -> dict[str, int]:
    """Write the graph (or a subgraph) as .graphml, .gexf or node-link .json."""
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in GRAPH_FORMATS:
        raise ConfigError(f"{out}: graph export writes {', '.join('.' + f for f in GRAPH_FORMATS)}")
    sub = subgraph(store, ids, depth)
    buf = io.BytesIO()
    if fmt == "json":
        data = nx.node_link_data(to_networkx(sub, flat=False), edges="edges")
        buf.write(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    elif fmt == "graphml":
        nx.write_graphml(to_networkx(sub), buf)
    else:
        nx.write_gexf(to_networkx(sub), buf)
    _write(out, buf.getvalue())
    return {"nodes": len(sub.nodes), "edges": len(sub.edges)}
