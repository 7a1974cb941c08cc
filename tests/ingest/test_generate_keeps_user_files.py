"""Sample data never overwrites the user's own raw files (issue 20 item 0).

Real-shaped user files sit in paths.raw_dir; `supportlens generate`, `supportlens run`
and the command `make demo` runs must leave every byte of them as it was, refuse with
an error naming the file, and `supportlens run --raw DIR` / `--no-generate` must run the
pipeline on those files instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from supportlens.cli import main
from supportlens.commands.run import plan
from supportlens.config import load_settings
from supportlens.hashing import file_digest
from supportlens.ingest.generate import generate_all
from supportlens.ingest.generate.ownership import RECORD, ForeignFileError

REPO = Path(__file__).resolve().parents[2]
FIXTURE_RAW = REPO / "tests" / "fixtures" / "raw"
PATH_KEYS = ("raw_dir", "landing_dir", "warehouse", "published", "registry_dir", "gx_docs_dir",
             "reports_build_dir", "ops_db", "backup_dir")  # fmt: skip


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every configured path under tmp_path (so the pipeline touches nothing else)."""
    chosen = {key: tmp_path / key for key in PATH_KEYS}
    chosen["warehouse"] = tmp_path / "warehouse" / "supportlens.duckdb"
    chosen["published"] = tmp_path / "published" / "supportlens.duckdb"
    chosen["ops_db"] = tmp_path / "ops" / "ops.duckdb"
    for key, value in chosen.items():
        monkeypatch.setenv(f"SUPPORTLENS_PATHS_{key.upper()}", str(value))
    return chosen


@pytest.fixture
def user_raw(paths: dict[str, Path]) -> Path:
    """A raw folder holding the user's own files: real shapes, not written by the generator."""
    raw = paths["raw_dir"]
    shutil.copytree(FIXTURE_RAW, raw)  # hand-made copies of the public datasets' shapes
    return raw


def test_generate_refuses_and_names_the_users_file(
    user_raw: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(user_raw)
    assert main(["-q", "generate"]) == 1
    err = capsys.readouterr().err
    assert str(user_raw / "banking77" / "categories.json") in err  # the first, sorted
    assert "was not written by the generator" in err and "nothing was written" in err
    assert snapshot(user_raw) == before  # not a byte changed, no _truth/ added


def test_run_stops_before_touching_the_users_files(
    user_raw: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(user_raw)
    assert main(["-q", "run", "--skip-quality", "--skip-report"]) != 0
    out, err = capsys.readouterr()
    assert "stage 'generate' failed" in out and "supportlens run --no-generate" in err
    assert snapshot(user_raw) == before


def demo_command() -> list[str]:
    """The recipe of `make demo`, read from the Makefile (so the test follows it)."""
    makefile = (REPO / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "no demo target in the Makefile"
    [line] = [step.strip() for step in recipe.group(1).splitlines() if step.strip()]
    return line.replace("$(BIN)", str(Path(sys.executable).parent)).split()


def test_make_demo_command_leaves_the_users_files_alone(user_raw: Path) -> None:
    command = demo_command()
    assert command[-2:] == ["supportlens", "run"] or command[-1] == "run"
    before = snapshot(user_raw)
    done = subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert str(user_raw / "banking77" / "categories.json") in done.stderr
    assert snapshot(user_raw) == before


def test_generate_rewrites_its_own_output_but_not_a_file_the_user_edited(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    generate_all(raw, 5, "sample", sources=("banking77", "sgd"))
    generate_all(raw, 6, "sample", sources=("banking77", "sgd"))  # its own files: rewritten
    train = raw / "banking77" / "train.csv"
    train.write_text(train.read_text() + "my own line,card_arrival\n")
    edited = train.read_bytes()
    with pytest.raises(ForeignFileError) as refused:
        generate_all(raw, 7, "sample", sources=("banking77",))
    assert refused.value.foreign == ["banking77/train.csv"]
    assert train.read_bytes() == edited
    # A source folder it is not asked to write is not its business.
    assert generate_all(raw, 7, "sample", sources=("sgd",))
    assert train.read_bytes() == edited


def test_hidden_files_neither_block_nor_get_touched(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "bitext").mkdir(parents=True)
    (raw / "bitext" / ".DS_Store").write_bytes(b"finder")
    generate_all(raw, 3, "sample", sources=("bitext",))
    assert (raw / "bitext" / ".DS_Store").read_bytes() == b"finder"


def test_generate_beside_users_files_of_other_sources(user_raw: Path) -> None:
    before = {k: v for k, v in snapshot(user_raw).items() if not k.startswith("twcs/")}
    shutil.rmtree(user_raw / "twcs")
    written = generate_all(user_raw, 3, "sample", sources=("twcs",))
    assert list(written) == ["twcs/twcs.csv"]
    after = snapshot(user_raw)
    assert {k: after[k] for k in before} == before


def test_leftovers_of_an_interrupted_run_are_its_own(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "_truth").mkdir(parents=True)
    (raw / RECORD).write_text(json.dumps({"files": {}, "writing": ["bitext"]}))
    (raw / "bitext").mkdir()
    (raw / "bitext" / "bitext_customer_support.csv.tmp").write_text("half a file")
    generate_all(raw, 3, "sample", sources=("bitext",))
    assert sorted(p.name for p in (raw / "bitext").iterdir()) == ["bitext_customer_support.csv"]
    record = json.loads((raw / RECORD).read_text())
    assert record["writing"] == [] and "bitext/bitext_customer_support.csv" in record["files"]


def test_a_smaller_scale_removes_its_own_extra_shards(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    generate_all(raw, 3, "sample", sources=("sgd",))
    extra = raw / "sgd" / "train" / "dialogues_099.json"
    record = json.loads((raw / RECORD).read_text())
    extra.write_text("[]")  # as if an earlier, larger run had written it
    record["files"]["sgd/train/dialogues_099.json"] = list(file_digest(extra))
    (raw / RECORD).write_text(json.dumps(record))
    generate_all(raw, 3, "sample", sources=("sgd",))
    assert not extra.exists()


def test_run_flags_plan_no_generate_stage(tmp_path: Path) -> None:
    common = {"seed": 1, "scale": "sample", "label_sets": ["banking77"],
              "train_config": "ml/configs/baseline.yaml", "skip_quality": True,
              "skip_report": True}  # fmt: skip
    default = plan(Namespace(raw=None, no_generate=False, **common))
    assert [s.name for s in default[:2]] == ["generate", "land"]
    own = plan(Namespace(raw=None, no_generate=True, **common))
    assert own[0].argv == ["land"] and "generate" not in [s.name for s in own]
    elsewhere = plan(Namespace(raw=tmp_path, no_generate=False, **common))
    assert elsewhere[0].argv == ["land", "--raw-dir", str(tmp_path)]
    assert "generate" not in [s.name for s in elsewhere]


@pytest.mark.slow
def test_run_end_to_end_on_the_users_raw_files(
    paths: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`supportlens run --raw DIR`: land, build, train, predict and publish the user's data."""
    mine = tmp_path / "my_data"
    generate_all(tmp_path / "made", 9, "sample", sources=("banking77", "sgd", "twcs"))
    for source in ("banking77", "sgd", "twcs"):  # real shapes, no `_truth/`, no record
        shutil.copytree(tmp_path / "made" / source, mine / source)
    before = snapshot(mine)
    code = main(["-q", "run", "--raw", str(mine), "--skip-quality", "--skip-report"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "stage 'generate'" not in out and "train banking77" in out
    assert "train bitext" not in out  # no bitext among the user's files: not trained
    assert snapshot(mine) == before
    assert not paths["raw_dir"].exists()  # nothing generated anywhere
    assert load_settings().paths.published.exists()
