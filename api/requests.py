"""The request class of the API: a JSON body is JSON, UTF-8, of sane depth and exactly of
its documented types, or a 4xx.

Litestar decodes a JSON body whatever its declared media type, and lets the decoder's
RecursionError (nesting ~1,000 deep) and UnicodeDecodeError (latin-1 bytes) escape as
500s. Both are the client's input, so they are answered here, where the body is decoded.
Litestar also converts bodies leniently (`"top_k": "3"` becomes 3, `"sent_at": 0` the
epoch), so a body the OpenAPI document calls invalid was accepted; request bodies
(`StrictBody`) are therefore checked strictly first.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from supportlens.api.schemas import StrictBody


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


@cache
def strict_body_type(handler: BaseRouteHandler) -> type[StrictBody] | None:
    """The handler's JSON body Struct, when it is one of ours."""
    parameter = handler.parsed_fn_signature.parameters.get("data")
    body = parameter.annotation if parameter is not None else None
    return body if isinstance(body, type) and issubclass(body, StrictBody) else None


def _error(exc: msgspec.ValidationError) -> dict[str, str]:
    """Litestar's error shape: 'Expected `int`, got `str` - at `$.top_k`' -> message + key."""
    message, _, where = str(exc).partition(" - at `$.")
    return {"message": message, "key": where.rstrip("`"), "source": "body"}


def _integral_floats_as_ints(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer; msgspec's strict mode does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    return value


def check_strictly(value: Any, body_type: type[StrictBody]) -> None:
    try:
        msgspec.convert(value, body_type, strict=True)
    except msgspec.ValidationError as exc:
        if "got `float`" not in str(exc):
            raise
        msgspec.convert(_integral_floats_as_ints(value), body_type, strict=True)


class ApiRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        content_type = self.headers.get("content-type")
        # A missing Content-Type is read as JSON (curl --data-binary, simple clients).
        if content_type and not is_json_media_type(content_type):
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"body: Content-Type {content_type!r} is not JSON; "
                "send Content-Type: application/json",
            )
        try:
            value = await super().json()
        except RecursionError as exc:
            raise ClientException("body: JSON nested too deeply (about 1,000 levels)") from exc
        except UnicodeDecodeError as exc:
            raise ClientException(
                f"body: not UTF-8 text (byte {exc.start}: {exc.reason}); JSON must be UTF-8"
            ) from exc
        body_type = strict_body_type(self.route_handler)
        if body_type is not None:
            try:
                check_strictly(value, body_type)
            except msgspec.ValidationError as exc:
                raise ValidationException(
                    detail=f"Validation failed for {self.method} {self.url.path}",
                    extra=[_error(exc)],
                ) from exc
        return value
