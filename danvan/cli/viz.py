"""``danvan viz``: write an interactive graph page (one self-contained HTML file).

    danvan viz --plan 133-KH/TU -o ke-hoach-133.html
    danvan viz --focus "Xã Đăk Ruồng" --depth 2 -o dak-ruong.html
    danvan viz --query coverage --param plan=133-KH/TU -o bao-phu.html

The file opens in any browser without a network connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from danvan.cli.shared import StoreOptions, fail, store_options
from danvan.errors import ValidationError

__all__ = ["viz"]


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError("viz", "--param", f"expected key=value, got {pair!r}")
        out[key.strip()] = value
    return out


@store_options
def viz(output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")],
        plan: Annotated[str | None, typer.Option(help="kế hoạch: số ký hiệu, id hoặc tên")] = None,
        district: Annotated[str | None, typer.Option(help="huyện")] = None,
        commune: Annotated[str | None, typer.Option(help="xã")] = None,
        unit: Annotated[str | None, typer.Option(help="đơn vị giúp đỡ")] = None,
        focus: Annotated[str | None, typer.Option(help="nút trung tâm: id hoặc tên")] = None,
        depth: Annotated[int, typer.Option(min=0, max=4, help="độ sâu quanh nút trung tâm")] = 1,
        limit: Annotated[int, typer.Option(min=1, max=20000, help="số nút tối đa")] = 3000,
        query: Annotated[str | None, typer.Option("--query", help="vẽ kết quả của một truy vấn "
                                                  "trong danh mục")] = None,
        param: Annotated[list[str] | None, typer.Option("--param", help="tham số key=value "
                                                        "cho --query")] = None,
        *, opts: StoreOptions) -> None:
    """Ghi trang đồ thị tương tác (xem được không cần mạng): kế hoạch, địa bàn, đơn vị hoặc nút."""
    from danvan.queries.catalogue import run
    from danvan.visualisations.graphview import (
        graph_view,
        render_page,
        result_view,
    )

    s = opts.open()
    if query:
        result = run(s, query, **_params(param or []))
        view = result_view(s, result, title=f"Đồ thị: {query}", limit=limit)
    else:
        if param:
            raise fail("--param needs --query")
        view = graph_view(s, plan=plan, district=district, commune=commune, unit=unit,
                          focus=focus, depth=depth, limit=limit)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_page(view, standalone=True), encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
    meta = view.data["meta"]
    note = f" (trimmed from {meta['total']}; narrow with --plan/--district/--commune/--unit/--focus)" \
        if meta["truncated"] else ""
    typer.echo(f"wrote {output}: {meta['shown']} nodes, {meta['edges']} edges{note}")
