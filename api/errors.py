"""Domain errors raised by services, and how each becomes an HTTP answer.

Services never build HTTP responses; the handlers here map each error to one status code
with a message that says what to do next.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import duckdb
from litestar import MediaType, Request, Response
from litestar.exceptions import TooManyRequestsException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from supportlens.api.schemas import ErrorOut
from supportlens.warehouse import WarehouseNotPublishedError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on; `status_code` says which."""

    status_code = 400

    def __init__(self, detail: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NoActiveModel(ApiError):
    """No model is active for a label set (the registry is empty for it)."""

    status_code = 404


class ModelNotFound(ApiError):
    status_code = 404


class ConversationNotFound(ApiError):
    status_code = 404


class JobNotFound(ApiError):
    status_code = 404


class JobConflict(ApiError):
    """A job that must run alone (training: one warehouse writer) is already running."""

    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class InvalidUpload(ApiError):
    status_code = 422


class InvalidInput(ApiError):
    """Input the schema cannot express a rule for (e.g. timestamps that must agree)."""

    status_code = 400


def _body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra:
        body["extra"] = extra
    return body


def request_id(request: Request) -> str:
    """The id `supportlens.api.middleware` gave this request (also in the X-Request-ID header)."""
    return str(request.scope.get("state", {}).get("request_id", "-"))


def api_error_handler(request: Request, exc: ApiError) -> Response[Any]:
    return Response(
        _body(exc.status_code, exc.detail, exc.extra),
        status_code=exc.status_code,
        media_type=MediaType.JSON,
    )


#: Clients are told what to run, not where the server keeps its files (the log has that).
NOT_PUBLISHED = "no published warehouse yet; run `supportlens run` (or `supportlens publish`)"


def warehouse_missing_handler(request: Request, exc: WarehouseNotPublishedError) -> Response[Any]:
    log.warning("no snapshot", extra={"request_id": request_id(request), "error": str(exc)})
    return Response(_body(503, NOT_PUBLISHED), status_code=503, headers={"Retry-After": "30"})


def warehouse_catalog_handler(request: Request, exc: duckdb.CatalogException) -> Response[Any]:
    # A snapshot published before the marts existed: the pipeline has to build them first.
    log.warning("snapshot lacks a table", extra={"error": str(exc).splitlines()[0]})
    detail = (
        "the published warehouse lacks a table this route reads "
        f"({str(exc).splitlines()[0]}); run `supportlens build` then `supportlens publish`"
    )
    return Response(_body(503, detail), status_code=503, headers={"Retry-After": "30"})


def too_many_requests_handler(request: Request, exc: TooManyRequestsException) -> Response[Any]:
    """Litestar's limiter sends RateLimit-* headers; clients also expect Retry-After."""
    headers = dict(exc.headers or {})
    reset = headers.get("RateLimit-Reset", "1")
    headers["Retry-After"] = str(max(1, int(reset))) if str(reset).isdigit() else "1"
    return Response(
        _body(429, "rate limit exceeded; retry after the number of seconds in Retry-After"),
        status_code=429,
        headers=headers,
    )


def bad_model_input_handler(request: Request, exc: ValueError) -> Response[Any]:
    """The model refused an input the schema let through (a safety net: blank text)."""
    return Response(_body(400, str(exc)), status_code=400)


def too_deep_handler(request: Request, exc: RecursionError) -> Response[Any]:
    """Input nested beyond what a parser recurses into (JSON bodies, uploaded JSON files).

    Nothing in the API recurses on its own data, so a RecursionError comes from input."""
    log.warning("input nested too deeply", extra={"request_id": request_id(request)})
    return Response(
        _body(400, "input is nested too deeply (JSON nesting of about 1,000 levels or more)"),
        status_code=400,
    )


def server_error_handler(request: Request, exc: Exception) -> Response[Any]:
    """Any other failure: the traceback goes to the server log, the client gets the request
    id to quote (never the exception text, which may hold paths or SQL)."""
    rid = request_id(request)
    log.error(
        "unhandled error",
        exc_info=exc,
        extra={"request_id": rid, "method": request.method, "path": request.url.path},
    )
    return Response(
        _body(500, f"internal error; the server log has its details under request id {rid}"),
        status_code=500,
    )


def model_error_handlers() -> dict[type[Exception], Any]:
    """Handlers for the ML registry's input errors, when the app serves registry models.

    Looked up in `sys.modules`, not imported: the registry imports torch (seconds), and
    an app given other models (tests, fakes) never sees its errors."""
    registry = sys.modules.get("supportlens.ml.registry")
    if registry is None:
        return {}
    return {registry.EmptyTextError: bad_model_input_handler}


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ApiError: api_error_handler,
    WarehouseNotPublishedError: warehouse_missing_handler,
    duckdb.CatalogException: warehouse_catalog_handler,
    TooManyRequestsException: too_many_requests_handler,
    RecursionError: too_deep_handler,
    # Litestar uses the 500 handler for every exception that has no handler of its own.
    HTTP_500_INTERNAL_SERVER_ERROR: server_error_handler,
}


# ---------------------------------------------------------------- the error contract

#: Why each error status happens, as the OpenAPI document explains it.
ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "The X-API-Key header is missing (write and admin routes).",
    403: "The X-API-Key header is wrong, or no key is configured on the server.",
    404: "The named model, conversation or job does not exist, or no model is active.",
    409: "A job that must run alone (training, landing) is already running.",
    413: "The body, batch or conversation is larger than the configured limit.",
    415: "The body is not JSON (send Content-Type: application/json).",
    422: "The request is well formed but names something the server refuses.",
    429: "Rate limit exceeded; retry after the seconds in Retry-After.",
    503: "No warehouse snapshot is published yet, or it lacks a table; retry later.",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for error statuses, all with the `ErrorOut` body."""
    return {
        code: ResponseSpec(data_container=ErrorOut, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }
