"""The response cache's key, and the rule that keeps hostile queries out of it.

A key names everything that decides a cached answer: the snapshot (a publish starts a
fresh cache), the method (an OPTIONS answer must never serve a GET), the path and the
query, every part percent-escaped so that no name or value can spell another query.
Unknown query parameters are refused outright (400): the handler would ignore them, so
they could only ever make one answer reachable under many keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import quote, urlencode

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import ParameterKwarg

from supportlens.api.services.warehouse import WarehouseReader

#: Handler arguments Litestar fills from the connection itself, never from the query.
_RESERVED = frozenset(
    {"request", "data", "state", "scope", "headers", "cookies", "query", "body", "socket"}
)
_PATH_PARAMETER = re.compile(r"{(\w+)(?::[^}]*)?}")


def cache_key_builder(warehouse: WarehouseReader) -> Callable[[Request], str]:
    def key(request: Request) -> str:
        query = urlencode(sorted(request.query_params.multi_items()))
        path = quote(request.url.path, safe="/")
        return f"{warehouse.snapshot_id()}:{request.method}:{path}?{query}"

    return key


@cache
def query_names(handler: BaseRouteHandler) -> frozenset[str]:
    """The query parameters a handler reads (its signature minus path, body, dependencies)."""
    path_names = {name for path in handler.paths for name in _PATH_PARAMETER.findall(path)}
    dependencies = set(handler.resolve_dependencies())
    names: set[str] = set()
    for name, parameter in handler.parsed_fn_signature.parameters.items():
        if name in _RESERVED or name in path_names or name in dependencies:
            continue
        definition = parameter.kwarg_definition
        if isinstance(definition, ParameterKwarg):
            if definition.header or definition.cookie:
                continue
            names.add(definition.query or name)
        elif definition is None:
            names.add(name)
    return frozenset(names)


def reject_unknown_query_parameters(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: 400 naming any query parameter the route does not read."""
    if connection.scope.get("method") == "OPTIONS":  # Litestar's own handler; never cached
        return
    known = query_names(handler)
    unknown = sorted(set(connection.query_params) - known)
    if unknown:
        accepted = ", ".join(sorted(known)) or "none"
        raise ValidationException(
            f"unknown query parameter(s) {', '.join(repr(u) for u in unknown)}; "
            f"this route accepts: {accepted}"
        )
