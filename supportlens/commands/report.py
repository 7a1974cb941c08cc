"""`supportlens report`: build the Evidence report site from the published snapshot.

Steps: link (or copy) the published snapshot into the Evidence source folder, run
Evidence's sources step (which extracts every `sources/supportlens/*.sql` result to
Parquet), build the static site, and move it to `settings.paths.reports_build_dir`.
`--serve` then serves the site on 127.0.0.1; `--pdf` prints every page to PDF through
headless Chromium.

Only the published snapshot is read: the working warehouse may be locked by a writer,
and DuckDB refuses even read-only opens of a locked file.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import http.server
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tqdm import tqdm

from supportlens.config import PACKAGE_ROOT, Settings
from supportlens.warehouse import WarehouseNotPublishedError

log = logging.getLogger(__name__)

#: The Evidence project shipped with the code.
DEFAULT_PROJECT_DIR = PACKAGE_ROOT / "reports"
#: Evidence source folder and the file name the snapshot is staged under. The name must
#: differ from every `.sql` file in the folder (Evidence treats both as tables).
SOURCE_NAME = "supportlens"
STAGED_SNAPSHOT_NAME = "published_snapshot.duckdb"
DEFAULT_PORT = 4173
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags that keep headless Chromium quiet and offline (no sandbox: CI runs as root).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
#: Evidence renders charts client-side; this much virtual time lets them draw before printing.
PDF_RENDER_BUDGET_MS = 20_000
SOURCE_FAILURE_MARKERS = ("✖",)


class ReportError(RuntimeError):
    """A report step failed; the message names the step and what to do."""


@dataclass(frozen=True)
class Page:
    name: str
    route: str


def page_routes(project_dir: Path = DEFAULT_PROJECT_DIR) -> list[Page]:
    """Every report page, from the `pages/*.md` files (`index.md` is the overview at `/`)."""
    pages = []
    for path in sorted((project_dir / "pages").glob("*.md")):
        if path.stem == "index":
            pages.append(Page("overview", "/"))
        else:
            pages.append(Page(path.stem, f"/{path.stem}/"))
    pages.sort(key=lambda page: page.route != "/")
    return pages


def _check_project(project_dir: Path) -> None:
    if not (project_dir / "package.json").is_file():
        raise ReportError(f"{project_dir}: not an Evidence project (no package.json)")
    if not (project_dir / "node_modules" / "@evidence-dev" / "evidence").is_dir():
        raise ReportError(
            f"{project_dir / 'node_modules'}: Evidence is not installed; run `npm ci` in "
            f"{project_dir}"
        )
    if shutil.which("npm") is None:
        raise ReportError("npm not found on PATH: install Node.js 20 to build the reports")


@contextlib.contextmanager
def _project_lock(project_dir: Path) -> Iterator[None]:
    """One build at a time per Evidence project: builds share `.evidence/` and `build/`."""
    lock_path = project_dir / ".supportlens-report.lock"
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ReportError(
                f"{lock_path}: another `supportlens report` is building this project"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staged_snapshot(published: Path, project_dir: Path) -> Iterator[Path]:
    """Put the snapshot where Evidence's DuckDB source looks for it, for the sources step.

    A hard link is instant and pins the snapshot being read: `publish` replaces the
    published file by rename, so a concurrent publish cannot change what we read. Across
    file systems the snapshot is copied instead.
    """
    if not published.is_file():
        raise WarehouseNotPublishedError(
            f"{published}: no published warehouse yet; run `supportlens run` "
            "(or `supportlens build` then `supportlens publish`)"
        )
    target = project_dir / "sources" / SOURCE_NAME / STAGED_SNAPSHOT_NAME
    target.unlink(missing_ok=True)
    # The published path is a (relative) symlink to the current versioned snapshot; link
    # the snapshot file itself; a link to the symlink would dangle in the project folder.
    snapshot = published.resolve()
    try:
        os.link(snapshot, target)
    except OSError:
        shutil.copyfile(snapshot, target)
    try:
        yield target
    finally:
        target.unlink(missing_ok=True)


def _evidence_env(settings: Settings) -> dict[str, str]:
    env = settings.env_for_subprocesses()
    # evidence.settings.json turns telemetry off; these keep npm itself quiet and offline.
    env.update(
        {
            "NPM_CONFIG_UPDATE_NOTIFIER": "false",
            "NPM_CONFIG_FUND": "false",
            "NPM_CONFIG_AUDIT": "false",
            "NODE_OPTIONS": env.get("NODE_OPTIONS", "--max-old-space-size=4096"),
        }
    )
    return env


def _run_npm(script: str, project_dir: Path, env: dict[str, str], log_file: Path) -> str:
    """Run `npm run <script>` with output to `log_file`; raise with its tail on failure."""
    started = time.perf_counter()
    with log_file.open("w", encoding="utf-8") as out:
        code = subprocess.call(
            ["npm", "run", "--silent", script],
            cwd=project_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    output = log_file.read_text(encoding="utf-8", errors="replace")
    elapsed = time.perf_counter() - started
    log.info("evidence step done", extra={"step": script, "seconds": round(elapsed, 1)})
    if code != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise ReportError(
            f"`npm run {script}` failed in {project_dir} (exit {code}); log {log_file}:\n{tail}"
        )
    return output


def failed_sources(sources_output: str) -> list[str]:
    """Source queries that Evidence reported as failed (it still exits 0 for those)."""
    failed = []
    for line in sources_output.splitlines():
        text = line.strip()
        if text.endswith(".duckdb") or STAGED_SNAPSHOT_NAME.removesuffix(".duckdb") in text:
            continue
        if any(marker in text for marker in SOURCE_FAILURE_MARKERS):
            failed.append(text)
    return failed


def build_site(settings: Settings, project_dir: Path = DEFAULT_PROJECT_DIR) -> Path:
    """Run the sources step on the published snapshot and build the static site."""
    project_dir = project_dir.resolve()
    _check_project(project_dir)
    target = settings.paths.reports_build_dir
    env = _evidence_env(settings)
    logs_dir = Path(tempfile.mkdtemp(prefix="supportlens-report-"))
    with _project_lock(project_dir), tqdm(total=3, desc="report", unit="step") as progress:
        with staged_snapshot(settings.paths.published, project_dir):
            progress.set_postfix_str("evidence sources")
            output = _run_npm("sources", project_dir, env, logs_dir / "sources.log")
        problems = failed_sources(output)
        if problems:
            # A missing optional mart (e.g. before the first training run) must not stop
            # the pipeline: the site still builds and the figures that need it say so.
            log.warning(
                "some source queries failed; their figures will show an error",
                extra={"snapshot": str(settings.paths.published), "failed": problems},
            )
            print(
                "supportlens report: warning: these source queries failed on "
                f"{settings.paths.published} (a mart missing or renamed?):\n  "
                + "\n  ".join(problems)
            )
        progress.update()
        progress.set_postfix_str("evidence build")
        _run_npm("build", project_dir, env, logs_dir / "build.log")
        progress.update()
        progress.set_postfix_str("publish site")
        built = project_dir / "build"
        if not (built / "index.html").is_file():
            raise ReportError(f"{built}: Evidence finished but wrote no index.html")
        if built.resolve() != target.resolve():
            _replace_dir(built, target)
            # The in-project copy would be stale (or another snapshot's) next time.
            shutil.rmtree(built, ignore_errors=True)
        progress.update()
    shutil.rmtree(logs_dir, ignore_errors=True)
    return target


def _replace_dir(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a temporary sibling, so readers never see half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


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


def find_chromium() -> str:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "headless Chromium not found (looked for "
        + ", ".join(CHROMIUM_CANDIDATES)
        + "); on Debian: apt-get install -y chromium"
    )


def print_pdf(url: str, output: Path, chromium: str) -> Path:
    """Print one page to PDF with headless Chromium; the file must come out non-empty."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="supportlens-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--virtual-time-budget={PDF_RENDER_BUDGET_MS}",
            f"--print-to-pdf={output}",
            url,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        raise ReportError(
            f"Chromium could not print {url} to {output} (exit {result.returncode}):\n"
            + result.stderr[-2000:]
        )
    return output


def export_pdfs(
    site_dir: Path, pdf_dir: Path, project_dir: Path = DEFAULT_PROJECT_DIR
) -> list[Path]:
    chromium = find_chromium()
    written = []
    with serve_site(site_dir) as base_url:
        for page in tqdm(page_routes(project_dir), desc="pdf", unit="page"):
            written.append(print_pdf(base_url + page.route, pdf_dir / f"{page.name}.pdf", chromium))
    return written


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
    except (ReportError, WarehouseNotPublishedError) as exc:
        print(f"supportlens report: {exc}")
        return 1
    except OSError as exc:
        print(f"supportlens report: {exc}")
        return 1
    return 0
