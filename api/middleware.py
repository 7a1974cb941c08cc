"""Request ids and one log line per request (plain ASGI: cheap on the hot path), and the
rate limiter's answer to an exhausted budget."""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from supportlens.api.errors import too_many_requests_handler

log = logging.getLogger("supportlens.api.requests")

REQUEST_ID_HEADER = b"x-request-id"
#: A caller's id is reused only when it is short and plain (it ends up in logs).
_ACCEPTABLE_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == REQUEST_ID_HEADER), b"")
        request_id = incoming if _ACCEPTABLE_ID.match(incoming) else uuid.uuid4().hex.encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "request_id": request_id.decode(),
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )

    return middleware


class AnsweringRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter, answering its 429 itself instead of raising it.

    Raised, the exception passes the app-level middleware (Prometheus, the request log)
    before Litestar turns it into a response, so they recorded a 429 as 200.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            app = scope["litestar_app"]
            request = app.request_class(scope, receive)
            response = too_many_requests_handler(request, exc)
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)
