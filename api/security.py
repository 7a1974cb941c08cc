"""API-key guards: required on write/admin routes, optional (but checked) on reads.

The guards are built for one app from its configured key (`api_key_guards`), so they need
no lookup of shared state per request.
"""

from __future__ import annotations

import hmac
from typing import NamedTuple

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityScheme
from litestar.types import Guard

API_KEY_HEADER = "X-API-Key"
SECURITY_SCHEME_NAME = "apiKey"
SECURITY_SCHEMES = {
    SECURITY_SCHEME_NAME: SecurityScheme(
        type="apiKey",
        name=API_KEY_HEADER,
        security_scheme_in="header",
        description="Required on write/admin routes; set [api] api_key or SUPPORTLENS_API_API_KEY.",
    )
}
REQUIRES_KEY = [{SECURITY_SCHEME_NAME: []}]


def _matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class ApiKeyGuards(NamedTuple):
    #: 401 when the header is missing, 403 when it is wrong (or no key is configured).
    required: Guard
    #: Reads need no key, but a key that is sent must be right (catches misconfiguration).
    optional: Guard


def api_key_guards(expected: str) -> ApiKeyGuards:
    def require_api_key(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        given = connection.headers.get(API_KEY_HEADER)
        if not given:
            raise NotAuthorizedException(
                f"this route needs the {API_KEY_HEADER} header",
                headers={"WWW-Authenticate": f'ApiKey header="{API_KEY_HEADER}"'},
            )
        if not expected:
            raise PermissionDeniedException(
                "write routes are disabled: no API key is configured "
                "(set [api] api_key or SUPPORTLENS_API_API_KEY)"
            )
        if not _matches(given, expected):
            raise PermissionDeniedException(f"wrong {API_KEY_HEADER}")

    def check_optional_api_key(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        given = connection.headers.get(API_KEY_HEADER)
        if given and expected and not _matches(given, expected):
            raise PermissionDeniedException(f"wrong {API_KEY_HEADER}")

    return ApiKeyGuards(required=require_api_key, optional=check_optional_api_key)
