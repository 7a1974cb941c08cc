"""Print every report page to PDF with headless Chromium (`supportlens report --pdf`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tqdm import tqdm

from supportlens.report.project import DEFAULT_PROJECT_DIR, ReportError, page_routes
from supportlens.report.server import serve_site

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
