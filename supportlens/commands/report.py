"""`supportlens report`: build (and optionally serve or print) the Evidence report site.

The work lives in `supportlens.report`: `evidence` builds the site from the published
snapshot, `server` serves it, `pdf` prints its pages. This module is the command line.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from supportlens.config import Settings
from supportlens.report.evidence import build_site
from supportlens.report.pdf import export_pdfs
from supportlens.report.project import ReportError
from supportlens.report.server import DEFAULT_PORT, serve_site
from supportlens.warehouse import WarehouseNotPublishedError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--serve", action="store_true", help="serve the built site on 127.0.0.1 until Ctrl+C"
    )
    parser.add_argument(
        "--pdf", action="store_true", help="print every page to PDF (headless Chromium)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port for --serve (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--skip-build", action="store_true", help="reuse the existing build (with --serve/--pdf)"
    )
    parser.add_argument(
        "--pdf-dir",
        type=Path,
        default=None,
        help="where --pdf writes (default: <reports_build_dir>/pdf)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    site = settings.paths.reports_build_dir
    try:
        if not args.skip_build:
            started = time.perf_counter()
            build_site(settings)
            print(f"report site built in {time.perf_counter() - started:.0f} s: {site}")
        if args.pdf:
            pdf_dir = args.pdf_dir or site / "pdf"
            for path in export_pdfs(site, pdf_dir):
                print(f"pdf {path} ({path.stat().st_size:,} bytes)")
        if args.serve:
            with serve_site(site, args.port) as url:
                print(f"serving {site} at {url}/ (Ctrl+C to stop)")
                threading.Event().wait()
    except (ReportError, WarehouseNotPublishedError, OSError) as exc:
        print(f"supportlens report: {exc}")
        return 1
    return 0
