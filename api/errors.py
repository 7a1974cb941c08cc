"""Domain errors raised by services, and how each becomes an HTTP answer.

Services never build HTTP responses; the handlers here map each error to one status code
with a message that says what to do next.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
from litestar import MediaType, Request, Response
from litestar.exceptions import TooManyRequestsException

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


class WarehouseUnavailable(ApiError):
    status_code = 503


def _body(status_code: int, detail: str, extra: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra:
        body["extra"] = extra
    return body


def api_error_handler(request: Request, exc: ApiError) -> Response[Any]:
    return Response(
        _body(exc.status_code, exc.detail, exc.extra),
        status_code=exc.status_code,
        media_type=MediaType.JSON,
    )


def warehouse_missing_handler(request: Request, exc: WarehouseNotPublishedError) -> Response[Any]:
    return Response(_body(503, str(exc)), status_code=503, headers={"Retry-After": "30"})


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


def model_error_handlers() -> dict[type[Exception], Any]:
    """Handlers for the ML registry's input errors, when the ML package is installed."""
    try:
        from ml.registry import EmptyTextError
    except ImportError:
        return {}
    return {EmptyTextError: bad_model_input_handler}


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    ApiError: api_error_handler,
    WarehouseNotPublishedError: warehouse_missing_handler,
    duckdb.CatalogException: warehouse_catalog_handler,
    TooManyRequestsException: too_many_requests_handler,
}
