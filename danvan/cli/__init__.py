"""The ``danvan`` command, all of it: one module per command group, a thin layer over the
functions the API calls too (loaders, queries, exports, accounts).

    danvan serve | load | info | query NAME | extract | import | export | viz | demo | user …

``app`` is the typer application, ``main`` the console script's entry point
(:mod:`danvan.cli.app`). Expected failures print one line and exit non-zero
(1: the command failed, 2: usage or settings); no tracebacks.
"""

from danvan.cli.app import app, main

__all__ = ["app", "main"]
