"""Fast checks of the report project: source queries, page references, snapshot staging."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import duckdb
import pytest

from supportlens.report import evidence, project, server
from supportlens.warehouse import WarehouseNotPublishedError

PROJECT = project.DEFAULT_PROJECT_DIR
SOURCE_DIR = PROJECT / "sources" / project.SOURCE_NAME
SOURCE_QUERIES = sorted(SOURCE_DIR.glob("*.sql"))
PAGES = sorted((PROJECT / "pages").glob("*.md"))


def test_every_page_is_routed() -> None:
    routes = project.page_routes()
    assert routes[0] == project.Page("overview", "/")
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
    assert project.STAGED_SNAPSHOT_NAME.removesuffix(".duckdb") not in {
        q.stem for q in SOURCE_QUERIES
    }
    connection = (SOURCE_DIR / "connection.yaml").read_text(encoding="utf-8")
    assert f"filename: {project.STAGED_SNAPSHOT_NAME}" in connection


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
    project_dir = tmp_path / "project"
    (project_dir / "sources" / project.SOURCE_NAME).mkdir(parents=True)
    with evidence.staged_snapshot(published, project_dir) as staged:
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
    project_dir = tmp_path / "project"
    (project_dir / "sources" / project.SOURCE_NAME).mkdir(parents=True)
    with evidence.staged_snapshot(published, project_dir) as staged:
        assert not staged.is_symlink()
        assert staged.read_bytes() == b"version 1"


def test_missing_snapshot_names_the_command(tmp_path: Path) -> None:
    with (
        pytest.raises(WarehouseNotPublishedError, match="supportlens run"),
        evidence.staged_snapshot(tmp_path / "absent.duckdb", tmp_path),
    ):
        pass


def test_failed_sources_are_detected() -> None:
    output = (
        "  alerts ✔ Finished, wrote 23 rows.\n"
        "  published_snapshot ⚠ No results returned.\n"
        "  intent_drift ✖ Error: Catalog Error: Table with name mart_intent_drift does not exist\n"
    )
    failed = evidence.failed_sources(output)
    assert len(failed) == 1
    assert "intent_drift" in failed[0]


def test_server_serves_wasm_and_extensionless_pages(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (tmp_path / "alerts.html").write_text("<html>alerts</html>", encoding="utf-8")
    (tmp_path / "engine.wasm").write_bytes(b"\0asm")
    with server.serve_site(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/alerts") as response:
            assert response.read() == b"<html>alerts</html>"
        with urllib.request.urlopen(url + "/engine.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"


def test_serving_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(project.ReportError, match="run `supportlens report` first"):
        server.serve_site(tmp_path).__enter__()


DATA_COMPONENTS = ("BigValue", "DataTable", "BarChart", "LineChart", "AreaChart", "Heatmap")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_figure_says_when_the_snapshot_has_no_data(page: Path) -> None:
    """An empty query renders as "No data for this snapshot", not as an error box."""
    text = page.read_text(encoding="utf-8")
    tags = re.findall(rf"<(?:{'|'.join(DATA_COMPONENTS)}|SankeyDiagram)\b[^>]*>", text)
    assert tags, f"{page.name} shows no figure"
    for tag in tags:
        assert 'emptySet="pass"' in tag and 'emptyMessage="No data for this snapshot"' in tag, (
            f"{page.name}: {tag.splitlines()[0]} lacks the empty-snapshot message"
        )


def test_empty_query_results_get_an_empty_parquet_of_their_columns(tmp_path: Path) -> None:
    """Evidence lists a 0-row query in its manifest but writes no file (issue 20, item 10)."""
    data = tmp_path / evidence.DATA_DIR
    for query in ("alerts", "daily_kpis"):
        (data / "supportlens" / query).mkdir(parents=True)
    duckdb.sql(
        f"copy (select 1.0 as n) to '{data / 'supportlens' / 'daily_kpis' / 'daily_kpis.parquet'}'"
    )
    (data / "supportlens" / "alerts" / "alerts.schema.json").write_text(
        json.dumps(
            [
                {"name": "rule_name", "evidenceType": "string", "typeFidelity": "precise"},
                {"name": "breached", "evidenceType": "boolean", "typeFidelity": "precise"},
                {"name": "current_value", "evidenceType": "number", "typeFidelity": "precise"},
                {"name": "window_end", "evidenceType": "date", "typeFidelity": "precise"},
            ]
        ),
        encoding="utf-8",
    )
    (data / "manifest.json").write_text(
        json.dumps(
            {
                "renderedFiles": {
                    "supportlens": [
                        "static/data/supportlens/alerts/alerts.parquet",
                        "static/data/supportlens/daily_kpis/daily_kpis.parquet",
                    ]
                }
            }
        ),
        encoding="utf-8",
    )
    assert evidence.write_empty_results(tmp_path) == ["supportlens.alerts"]
    written = data / "supportlens" / "alerts" / "alerts.parquet"
    relation = duckdb.sql(f"select * from '{written}'")
    assert relation.columns == ["rule_name", "breached", "current_value", "window_end"]
    assert [str(t) for t in relation.types] == ["VARCHAR", "BOOLEAN", "DOUBLE", "TIMESTAMP"]
    assert relation.fetchall() == []


def test_workspace_holds_the_project_sources_but_no_earlier_build(tmp_path: Path) -> None:
    source = tmp_path / "project"
    for folder in ("pages", "sources/supportlens", "build", ".evidence/template/static/data"):
        (source / folder).mkdir(parents=True)
    (source / "node_modules").mkdir()
    (source / "pages" / "index.md").write_text("# hi", encoding="utf-8")
    (source / "sources" / "supportlens" / "q.sql").write_text("select 1", encoding="utf-8")
    (source / "sources" / "supportlens" / "published_snapshot.duckdb").write_bytes(b"old")
    (source / "build" / "index.html").write_text("user site", encoding="utf-8")
    (source / ".evidence" / "template" / "static" / "data" / "q.parquet").write_bytes(b"stale")
    workspace = project.prepare_workspace(source, tmp_path / ".site.1.work")
    files = sorted(p.relative_to(workspace).as_posix() for p in workspace.rglob("*"))
    assert files == [
        "node_modules",
        "pages",
        "pages/index.md",
        "sources",
        "sources/supportlens",
        "sources/supportlens/q.sql",
    ]
    assert (workspace / "node_modules").resolve() == (source / "node_modules").resolve()
    assert project.remove_stale_workspaces(tmp_path / "site") == [workspace]
    assert not workspace.exists()
    assert (source / "build" / "index.html").read_text(encoding="utf-8") == "user site"


def test_build_locks_and_workspaces_are_ignored_and_untracked() -> None:
    repo = PROJECT.parent
    tracked = subprocess.run(
        ["git", "ls-files", "reports"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [name for name in tracked if name.endswith(".lock")], tracked
    leftovers = ["reports/.build.lock", "reports/.build.123.work/x", "reports/.build.123.old/x"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *leftovers],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == leftovers
