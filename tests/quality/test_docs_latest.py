"""Data Docs render every suite's newest result, also those of a run made with --no-docs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quality_fixtures import write_marts

from supportlens.config import Settings
from supportlens.quality.runner import run_quality
from supportlens.quality.spec import Stage


def test_marts_run_renders_the_landing_results_of_a_no_docs_run(
    settings: Settings, landed: Callable[..., Path]
) -> None:
    landing = run_quality(settings, [Stage.LANDING], ["landing_sgd_dialogues"], build_docs=False)
    write_marts(settings)
    run_quality(settings, [Stage.MARTS], ["marts_fct_conversations"])
    docs = settings.paths.gx_docs_dir
    pages = {p.relative_to(docs).parts[1] for p in (docs / "validations").rglob("*.html")}
    assert pages == {"landing_sgd_dialogues", "marts_fct_conversations"}
    assert landing.run_id in (docs / "index.html").read_text(encoding="utf-8")
