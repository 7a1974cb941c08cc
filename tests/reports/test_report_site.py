"""The built report site, opened in headless Chromium through Playwright.

One build per session (`built_site`), served on 127.0.0.1. Each page must render every
chart it declares with data (ECharts canvases with drawn pixels), show no error or empty
boxes, and fill its tables; a filter change must change a figure; every page must print to
a non-empty PDF. Screenshots and PDFs are saved under test-artifacts/reports/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from supportlens.report import pdf, project

# The first test also builds the site (1-3 min alone, much longer on a loaded machine).
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(2400)]

PAGES = project.page_routes()
CHART_COMPONENTS = ("BarChart", "LineChart", "AreaChart", "Heatmap", "SankeyDiagram")
#: Texts Evidence shows instead of a figure when a query fails or returns nothing.
FAILURE_TEXTS = ("Error in query", "Dataset is empty", "No Results", "Missing required")
RENDER_TIMEOUT_MS = 60_000


def declared_charts(page_name: str) -> int:
    source = "index" if page_name == "overview" else page_name
    text = (project.DEFAULT_PROJECT_DIR / "pages" / f"{source}.md").read_text(encoding="utf-8")
    return sum(len(re.findall(rf"<{name}\b", text)) for name in CHART_COMPONENTS)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[flag for flag in pdf.CHROMIUM_FLAGS if flag != "--headless"],
            headless=True,
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()


def _painted_share_js() -> str:
    """JS: for each ECharts canvas, the share of pixels that are not blank."""
    return """
    () => Array.from(document.querySelectorAll('[_echarts_instance_] canvas')).map((c) => {
        const ctx = c.getContext('2d');
        if (!ctx || !c.width || !c.height) return 0;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return painted / (c.width * c.height);
    })
    """


def open_and_wait(page: Page, url: str, charts: int) -> None:
    page.goto(url, wait_until="networkidle", timeout=RENDER_TIMEOUT_MS)
    if charts:
        page.wait_for_function(
            f"document.querySelectorAll('[_echarts_instance_] canvas').length >= {charts}",
            timeout=RENDER_TIMEOUT_MS,
        )
    # ECharts animates the first draw; let it settle before judging or screenshotting.
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("route", PAGES, ids=lambda p: p.name)
def test_page_renders_its_charts_with_data(
    page: Page, site_url: str, artifacts_dir: Path, route: project.Page
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    charts = declared_charts(route.name)
    open_and_wait(page, site_url + route.route, charts)
    page.screenshot(path=str(artifacts_dir / f"{route.name}.png"), full_page=True)

    body = page.inner_text("body")
    for text in FAILURE_TEXTS:
        assert text not in body, f"{route.name}: page shows '{text}'"
    assert not errors, f"{route.name}: JavaScript errors {errors}"
    painted = page.evaluate(_painted_share_js())
    assert len(painted) >= charts, f"{route.name}: {len(painted)} of {charts} charts drawn"
    blank = [i for i, share in enumerate(painted) if share < 0.01]
    assert not blank, f"{route.name}: charts {blank} are drawn but empty ({painted})"
    for table in page.query_selector_all("table"):
        assert table.query_selector("td"), f"{route.name}: a table has no data cells"


def _big_value(page: Page, title: str) -> str:
    card = page.locator(".big-value, [data-testid='big-value']").filter(has_text=title).first
    return card.inner_text()


def test_source_filter_changes_figures(page: Page, site_url: str, artifacts_dir: Path) -> None:
    open_and_wait(page, site_url + "/", declared_charts("overview"))
    chart = page.locator("[_echarts_instance_]").first
    before_text = page.inner_text("body")
    before_chart = chart.screenshot()

    # Deselect one source in the multi-select Source dropdown.
    page.get_by_role("combobox", name="Source").first.click()
    page.get_by_role("option", name="twcs").click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(3000)

    after_text = page.inner_text("body")
    after_chart = chart.screenshot()
    page.screenshot(path=str(artifacts_dir / "overview-filtered.png"), full_page=True)
    assert after_chart != before_chart, "the conversations chart did not change"
    conversations_before = re.search(r"Conversations\s+([\d,]+)", before_text)
    conversations_after = re.search(r"Conversations\s+([\d,]+)", after_text)
    assert conversations_before and conversations_after
    assert int(conversations_after.group(1).replace(",", "")) < int(
        conversations_before.group(1).replace(",", "")
    )


def test_every_page_prints_to_a_non_empty_pdf(built_site: Path, artifacts_dir: Path) -> None:
    pdfs = pdf.export_pdfs(built_site, artifacts_dir / "pdf")
    assert [p.stem for p in pdfs] == [page.name for page in PAGES]
    for printed in pdfs:
        content = printed.read_bytes()
        assert content.startswith(b"%PDF"), printed
        # A blank page prints to ~1-3 KB; a page with charts and text is far larger.
        assert len(content) > 20_000, f"{printed} is only {len(content)} bytes"
