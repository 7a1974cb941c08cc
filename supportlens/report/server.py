"""Serve a built site on 127.0.0.1 (`supportlens report --serve`, the browser tests, PDFs)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from supportlens.report.project import ReportError

log = logging.getLogger(__name__)

DEFAULT_PORT = 4173


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types DuckDB-WASM needs, and `/page` → `/page.html`."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".parquet": "application/octet-stream",
    }

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)
        if not os.path.exists(translated) and os.path.exists(translated + ".html"):
            return translated + ".html"
        return translated

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http " + format, *args)


class _QuietServer(http.server.ThreadingHTTPServer):
    """Browsers drop connections mid-download (cancelled Parquet reads): not an error."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        log.debug("http connection error", extra={"client": client_address}, exc_info=True)


@contextlib.contextmanager
def serve_site(site_dir: Path, port: int = 0) -> Iterator[str]:
    """Serve `site_dir` on 127.0.0.1 in a background thread; yields the base URL."""
    if not (site_dir / "index.html").is_file():
        raise ReportError(f"{site_dir}: no built site; run `supportlens report` first")
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    server = _QuietServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="report-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
