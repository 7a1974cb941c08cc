"""The request class of the API: a JSON body is JSON, UTF-8 and of sane depth, or a 4xx.

Litestar decodes a JSON body whatever its declared media type, and lets the decoder's
RecursionError (nesting ~1,000 deep) and UnicodeDecodeError (latin-1 bytes) escape as
500s. Both are the client's input, so they are answered here, where the body is decoded.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


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
            return await super().json()
        except RecursionError as exc:
            raise ClientException("body: JSON nested too deeply (about 1,000 levels)") from exc
        except UnicodeDecodeError as exc:
            raise ClientException(
                f"body: not UTF-8 text (byte {exc.start}: {exc.reason}); JSON must be UTF-8"
            ) from exc
