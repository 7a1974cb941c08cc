"""The Data Docs folder opens in headless Chromium and shows the suites (screenshot test)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from supportlens.config import Settings
from supportlens.quality import docs_assets
from supportlens.quality.runner import run_quality
from supportlens.quality.spec import Stage

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "quality"


def _require_local_assets(settings: Settings) -> None:
    if docs_assets.node_modules(settings) is None:
        pytest.fail("Data Docs assets missing: run `npm ci` in gx/docs_assets (make install)")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: `make browser` (apt-get install -y chromium) first")
    return found


def _browse(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.browser
def test_data_docs_open_in_chromium_and_show_the_suites(
    settings: Settings, landed: Callable[..., Path], tmp_path: Path
) -> None:
    _require_local_assets(settings)
    suites = ["landing_synthetic_turns", "landing_twcs_tweets"]
    report = run_quality(settings, [Stage.LANDING], suites)
    index = report.docs_index
    assert index is not None and index.is_file()
    url = index.resolve().as_uri()

    dom = _browse(["--virtual-time-budget=5000", "--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for suite in suites:
        assert suite in dom.stdout, f"{suite} not shown on {url}"
    # Rendered by bootstrap-table's JavaScript: proves the (local) assets loaded offline.
    assert "Showing 1 to 2 of 2 rows" in dom.stdout, "Data Docs tables did not render"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "data_docs_index.png"
    shot.unlink(missing_ok=True)
    result = _browse(["--window-size=1280,900", f"--screenshot={shot}", url], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000  # a blank page is a few KB
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
