"""Fast checks of the report project: source queries, page references, snapshot staging."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import duckdb
import pytest

from supportlens.commands import report
from supportlens.warehouse import WarehouseNotPublishedError

PROJECT = report.DEFAULT_PROJECT_DIR
SOURCE_DIR = PROJECT / "sources" / report.SOURCE_NAME
SOURCE_QUERIES = sorted(SOURCE_DIR.glob("*.sql"))
PAGES = sorted((PROJECT / "pages").glob("*.md"))


def test_every_page_is_routed() -> None:
    routes = report.page_routes()
    assert routes[0] == report.Page("overview", "/")
    assert {page.name for page in routes} >= {
        "overview",
        "intents",
        "conversation-flows",
        "performance",
        "sentiment",
        "model-performance",
        "data-quality",
        "alerts",
    }


@pytest.mark.parametrize("query", SOURCE_QUERIES, ids=lambda p: p.stem)
def test_source_query_returns_rows_on_fixture_warehouse(
    query: Path, fixture_warehouse: Path
) -> None:
    with duckdb.connect(str(fixture_warehouse), read_only=True) as conn:
        rows = conn.execute(query.read_text(encoding="utf-8")).fetchall()
    assert rows, f"{query.name} returned no rows on the fixture warehouse"


def test_snapshot_name_differs_from_every_source_query() -> None:
    assert report.STAGED_SNAPSHOT_NAME.removesuffix(".duckdb") not in {
        q.stem for q in SOURCE_QUERIES
    }
    connection = (SOURCE_DIR / "connection.yaml").read_text(encoding="utf-8")
    assert f"filename: {report.STAGED_SNAPSHOT_NAME}" in connection


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_pages_only_query_existing_sources(page: Path) -> None:
    referenced = set(re.findall(r"supportlens\.(\w+)", page.read_text(encoding="utf-8")))
    assert referenced, f"{page.name} reads no source table"
    missing = referenced - {q.stem for q in SOURCE_QUERIES}
    assert not missing, f"{page.name} reads tables without a source query: {sorted(missing)}"


def test_pinned_offline_fixes_are_in_package_json() -> None:
    import json

    package = json.loads((PROJECT / "package.json").read_text(encoding="utf-8"))
    assert package["overrides"]["@duckdb/duckdb-wasm"] == "1.28.0"
    assert package["overrides"]["codemirror"] == "6.0.2"
    assert package["dependencies"]["typescript"] == "5.4.2"
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} not pinned exactly: {version}"
    settings = json.loads((PROJECT / "evidence.settings.json").read_text(encoding="utf-8"))
    assert settings["send_anonymous_usage_stats"] == "no"


def test_staged_snapshot_links_then_removes(tmp_path: Path) -> None:
    published = tmp_path / "published.duckdb"
    published.write_bytes(b"snapshot bytes")
    project = tmp_path / "project"
    (project / "sources" / report.SOURCE_NAME).mkdir(parents=True)
    with report.staged_snapshot(published, project) as staged:
        assert staged.read_bytes() == b"snapshot bytes"
        # A publish during the build replaces the file by rename; the staged copy keeps
        # the snapshot the build started on.
        replacement = tmp_path / "new.duckdb"
        replacement.write_bytes(b"newer")
        replacement.replace(published)
        assert staged.read_bytes() == b"snapshot bytes"
    assert not staged.exists()


def test_staged_snapshot_follows_the_published_symlink(tmp_path: Path) -> None:
    # `supportlens publish` makes the published path a relative symlink to a versioned
    # file; the staged file must be that file, readable from the project folder.
    snapshots = tmp_path / "published" / "snapshots"
    snapshots.mkdir(parents=True)
    (snapshots / "supportlens-1.duckdb").write_bytes(b"version 1")
    published = tmp_path / "published" / "supportlens.duckdb"
    published.symlink_to(Path("snapshots") / "supportlens-1.duckdb")
    project = tmp_path / "project"
    (project / "sources" / report.SOURCE_NAME).mkdir(parents=True)
    with report.staged_snapshot(published, project) as staged:
        assert not staged.is_symlink()
        assert staged.read_bytes() == b"version 1"


def test_missing_snapshot_names_the_command(tmp_path: Path) -> None:
    with (
        pytest.raises(WarehouseNotPublishedError, match="supportlens run"),
        report.staged_snapshot(tmp_path / "absent.duckdb", tmp_path),
    ):
        pass


def test_failed_sources_are_detected() -> None:
    output = (
        "  alerts ✔ Finished, wrote 23 rows.\n"
        "  published_snapshot ⚠ No results returned.\n"
        "  intent_drift ✖ Error: Catalog Error: Table with name mart_intent_drift does not exist\n"
    )
    failed = report.failed_sources(output)
    assert len(failed) == 1
    assert "intent_drift" in failed[0]


def test_server_serves_wasm_and_extensionless_pages(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (tmp_path / "alerts.html").write_text("<html>alerts</html>", encoding="utf-8")
    (tmp_path / "engine.wasm").write_bytes(b"\0asm")
    with report.serve_site(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/alerts") as response:
            assert response.read() == b"<html>alerts</html>"
        with urllib.request.urlopen(url + "/engine.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"


def test_serving_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(report.ReportError, match="run `supportlens report` first"):
        report.serve_site(tmp_path).__enter__()
