"""Shared fixtures for the report tests: one fixture warehouse and one site build per session."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixture_warehouse import write_fixture_warehouse

from supportlens.config import Settings, load_settings
from supportlens.report import evidence, server

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: Install command for the browser tests (the project's test setup runs it).
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and PDFs land here (gitignored) so a person can look at them."""
    folder = Path(os.environ.get("SUPPORTLENS_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
    path = folder / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_warehouse(tmp_path_factory.mktemp("published") / "supportlens.duckdb")


@pytest.fixture(scope="session")
def report_settings(tmp_path_factory: pytest.TempPathFactory, fixture_warehouse: Path) -> Settings:
    """Settings whose snapshot is the fixture warehouse and whose site goes to a temp folder."""
    settings = load_settings(REPO_ROOT / "supportlens.toml")
    paths = dataclasses.replace(
        settings.paths,
        published=fixture_warehouse,
        reports_build_dir=tmp_path_factory.mktemp("site") / "build",
    )
    return dataclasses.replace(settings, paths=paths)


@pytest.fixture(scope="session")
def built_site(report_settings: Settings) -> Path:
    """The report site built once from the fixture warehouse (takes 1–3 minutes).

    `SUPPORTLENS_TEST_REPORT_SITE=<folder>` reuses a site built by an earlier session
    (only for iterating on the browser tests; CI always builds).
    """
    reuse = os.environ.get("SUPPORTLENS_TEST_REPORT_SITE")
    if reuse and not os.environ.get("CI"):
        return Path(reuse)
    return evidence.build_site(report_settings)


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with server.serve_site(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} missing: the test setup must run `{CHROMIUM_INSTALL}`")
    return CHROMIUM
