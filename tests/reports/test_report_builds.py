"""Each report build starts clean and touches only its own output folder (issues 19 and 20).

A small Evidence project (one page, one source query) is built twice into a temporary
folder: first from a snapshot whose query returns rows, then from one where it returns
none. The second site must show the query as empty, never the first build's rows, and
the project's own `build/` folder (the user's default site) must be left as it was.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright

from supportlens.config import Settings, load_settings
from supportlens.report import evidence, pdf, project, server

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
EMPTY_MESSAGE = "No data for this snapshot"
PAGE = f"""---
title: Companies
---

```sql companies
select company, conversations from supportlens.companies order by company
```

<DataTable data={{companies}} emptySet="pass" emptyMessage="{EMPTY_MESSAGE}"/>
"""
USER_SITE = "<html>the user's own site</html>"


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shipped = project.DEFAULT_PROJECT_DIR
    (folder / "pages").mkdir(parents=True)
    (folder / "sources" / project.SOURCE_NAME).mkdir(parents=True)
    for name in ("package.json", "evidence.config.yaml", "evidence.settings.json", ".npmrc"):
        shutil.copy(shipped / name, folder / name)
    shutil.copy(
        shipped / "sources" / project.SOURCE_NAME / "connection.yaml",
        folder / "sources" / project.SOURCE_NAME / "connection.yaml",
    )
    (folder / "sources" / project.SOURCE_NAME / "companies.sql").write_text(
        "select company, conversations from companies", encoding="utf-8"
    )
    (folder / "pages" / "index.md").write_text(PAGE, encoding="utf-8")
    (folder / "node_modules").symlink_to(shipped / "node_modules")
    # The user's site, built earlier into the project's default output folder.
    (folder / "build").mkdir()
    (folder / "build" / "index.html").write_text(USER_SITE, encoding="utf-8")
    return folder


def _snapshot(path: Path, rows: list[tuple[str, int]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create table companies (company varchar, conversations integer)")
        if rows:
            conn.executemany("insert into companies values (?, ?)", rows)
    return path


def _settings(tmp_path: Path, snapshot: Path) -> Settings:
    settings = load_settings(REPO_ROOT / "supportlens.toml")
    paths = dataclasses.replace(
        settings.paths, published=snapshot, reports_build_dir=tmp_path / "site"
    )
    return dataclasses.replace(settings, paths=paths)


def _page_text(site: Path) -> str:
    with server.serve_site(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[flag for flag in pdf.CHROMIUM_FLAGS if flag != "--headless"],
            headless=True,
        )
        try:
            page = browser.new_page()
            page.goto(url + "/", wait_until="networkidle", timeout=60_000)
            page.wait_for_timeout(1500)
            return page.inner_text("body")
        finally:
            browser.close()


@pytest.fixture
def chromium() -> Iterator[None]:
    if not Path("/usr/bin/chromium").is_file():
        pytest.fail("/usr/bin/chromium missing: the test setup must install chromium")
    yield


def test_second_build_shows_its_own_empty_result_not_the_first_builds_rows(
    tmp_path: Path, small_project: Path, chromium: None
) -> None:
    with_rows = _snapshot(tmp_path / "a" / "snap.duckdb", [("AcmeBank", 120), ("NorthAir", 7)])
    site = evidence.build_site(_settings(tmp_path, with_rows), small_project)
    first = _page_text(site)
    assert "AcmeBank" in first and "NorthAir" in first

    without_rows = _snapshot(tmp_path / "b" / "snap.duckdb", [])
    site = evidence.build_site(_settings(tmp_path, without_rows), small_project)
    second = _page_text(site)
    assert "AcmeBank" not in second, "the empty snapshot's site shows the first build's rows"
    assert EMPTY_MESSAGE in second

    # Neither build touched the project's own site, nor left a workspace behind.
    assert (small_project / "build" / "index.html").read_text(encoding="utf-8") == USER_SITE
    assert not (small_project / ".evidence").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "a", "b", "project", "site"]
