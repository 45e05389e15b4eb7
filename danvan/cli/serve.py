"""``danvan serve``: the explorer (HTML) and the API (JSON under /api/v1)."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from danvan.cli.shared import StoreOptions, store_options

__all__ = ["PORT_MAX", "serve"]

PORT_MAX = 65535


@store_options
def serve(host: Annotated[str, typer.Option(help="địa chỉ lắng nghe")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=PORT_MAX, help="cổng (1-65535)")] = 8000,
          load_kb: Annotated[bool, typer.Option(help="nạp cơ sở tri thức kèm theo vào kho "
                                                "còn trống trước khi chạy")] = True,
          *, opts: StoreOptions) -> None:
    """Chạy trang tra cứu (HTML) và API (JSON dưới /api/v1)."""
    from danvan.config import open_store

    settings = opts.settings()
    s = open_store(settings)  # first: a store that cannot be reached fails fast

    import uvicorn

    from danvan.api.app import create_app

    if load_kb and s.counts()["nodes"] == 0:
        from danvan.loaders.reference.kb import load_kb as load

        result = load(s, maps=True)
        typer.echo("loaded the bundled knowledge base and both administrative maps: "
                   f"{result.nodes_created} nodes, "
                   f"{result.edges_created} edges", err=True)
    typer.echo(f"danvan serving the {s.kind} store on http://{host}:{port}/", err=True)
    served = create_app(s, settings)
    # What is loaded by now (modules, the store's graph) lives as long as the server: out of
    # the collector's reach, a full collection walks only what requests made since, so it
    # no longer adds tens of ms (a province) to seconds (national) to the request it hits.
    gc.freeze()
    uvicorn.run(served, host=host, port=port, log_level="warning")
