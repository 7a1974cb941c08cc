"""Landing the well-formed fixtures: tables, types, lineage, manifest, re-landing, crashes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from landing_helpers import (
    duck_types,
    land_dirs,
    live_rows,
    manifest_rows,
    quarantine_rows,
)

from supportlens.cli import main
from supportlens.ingest.land import FAILED, LANDED, UNCHANGED, land
from supportlens.ingest.landing import layout

__all__ = ["land_dirs"]

EXPECTED_ROWS = {
    ("banking77", "utterances"): 8,
    ("banking77", "categories"): 4,
    ("bitext", "utterances"): 4,
    ("sgd", "dialogues"): 2,
    ("sgd", "turns"): 8,
    ("sgd", "frames"): 8,
    ("sgd", "actions"): 12,
    ("sgd", "slot_spans"): 3,
    ("sgd", "states"): 4,
    ("sgd", "schema_services"): 2,
    ("sgd", "schema_intents"): 2,
    ("sgd", "schema_slots"): 5,
    ("twcs", "tweets"): 8,
    ("synthetic", "turns"): 6,
}


def test_every_fixture_lands_with_contract_tables(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    outcomes = land(raw, landing)
    assert {o.status for o in outcomes} == {LANDED}
    assert all(o.rows_read == o.rows_accepted + o.rows_quarantined for o in outcomes)
    for (source, table), count in EXPECTED_ROWS.items():
        rows = live_rows(landing, source, table)
        assert len(rows) == count, (source, table)
        assert {"_load_id", "_source_file", "_record", "_loaded_at"} <= set(rows[0])
    assert quarantine_rows(landing, "twcs") == []


def test_landed_types_follow_the_contract(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    land(raw, landing)
    tweets = duck_types(landing, "twcs", "tweets")
    assert tweets == {
        "tweet_id": "BIGINT",
        "author_id": "VARCHAR",
        "inbound": "BOOLEAN",
        "created_at": "TIMESTAMP WITH TIME ZONE",
        "text": "VARCHAR",
        "response_tweet_ids": "BIGINT[]",
        "in_response_to_tweet_id": "BIGINT",
        "_load_id": "VARCHAR",
        "_source_file": "VARCHAR",
        "_record": "BIGINT",
        "_loaded_at": "TIMESTAMP WITH TIME ZONE",
    }
    assert duck_types(landing, "synthetic", "turns")["sent_at"] == "TIMESTAMP WITH TIME ZONE"
    assert duck_types(landing, "sgd", "actions")["canonical_values"] == "VARCHAR[]"
    assert duck_types(landing, "sgd", "schema_intents")["is_transactional"] == "BOOLEAN"
    assert duck_types(landing, "banking77", "categories")["label_index"] == "INTEGER"


def test_twcs_values_are_typed_exactly(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    land(raw, landing, ["twcs"])
    tweets = {row["tweet_id"]: row for row in live_rows(landing, "twcs", "tweets")}
    first = tweets[1]
    assert first["inbound"] is False and first["author_id"] == "sprintcare"
    assert first["created_at"].isoformat() == "2017-10-31T22:10:47+00:00"
    assert first["in_response_to_tweet_id"] == 3  # "3.0" as pandas wrote it
    assert tweets[2]["response_tweet_ids"] == [] and tweets[2]["inbound"] is True
    assert tweets[6]["response_tweet_ids"] == [5, 7]
    assert tweets[8]["in_response_to_tweet_id"] is None
    assert tweets[5]["text"] == '@sprintcare I did.\nStill nothing 😤 "help"'
    assert tweets[11]["created_at"].isoformat() == "2017-11-01T03:10:35+00:00"  # -0500
    assert [tweets[i]["_record"] for i in (1, 5, 11)] == [1, 5, 8]
    assert first["_source_file"] == "twcs/twcs.csv"


def test_ids_lineage_and_annotations(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    land(raw, landing)
    utterances = {r["utterance_id"]: r for r in live_rows(landing, "banking77", "utterances")}
    assert utterances["train-2"]["text"] == "My card hasn't arrived, what now?"
    assert utterances["train-4"]["text"] == 'What is the "real" exchange rate?'
    assert utterances["test-2"]["intent"] == "exchange_rate"
    assert utterances["test-2"]["split"] == "test"
    bitext = {r["utterance_id"]: r for r in live_rows(landing, "bitext", "utterances")}
    assert bitext["bitext_sample-2"]["placeholders"] == ["Order Number", "Online Order Interaction"]
    assert "{{Order Number}}" in bitext["bitext_sample-2"]["instruction"]  # kept verbatim
    frames = live_rows(landing, "sgd", "frames")
    call = next(f for f in frames if f["service_call_method"] == "FindRestaurants")
    assert (call["dialogue_id"], call["turn_index"], call["frame_index"]) == ("1_00000", 3, 0)
    assert '"Il Fornaio"' in call["service_results_json"]
    states = live_rows(landing, "sgd", "states")
    assert {s["turn_index"] for s in states if s["dialogue_id"] == "1_00000"} == {0, 2, 4}
    spans = live_rows(landing, "sgd", "slot_spans")
    assert ("1_00000", 0, "city", 33, 41) in {
        (s["dialogue_id"], s["turn_index"], s["slot"], s["span_start"], s["span_end"])
        for s in spans
    }
    dialogues = {d["dialogue_id"]: d for d in live_rows(landing, "sgd", "dialogues")}
    assert dialogues["1_00001"]["services"] == ["Banks_1", "Restaurants_1"]
    assert dialogues["1_00001"]["_record"] == 1 and dialogues["1_00000"]["split"] == "train"


def test_relanding_unchanged_files_is_a_no_op(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    first = land(raw, landing)
    files_before = sorted(p for p in landing.rglob("*") if p.is_file())
    second = land(raw, landing)
    assert {o.status for o in second} == {UNCHANGED}
    assert [o.load_id for o in second] == [o.load_id for o in first]
    assert sorted(p for p in landing.rglob("*") if p.is_file()) == files_before
    assert len(manifest_rows(landing)) == len(first)


def test_changed_file_supersedes_the_old_load(land_dirs: tuple[Path, Path]) -> None:
    raw, landing = land_dirs
    [old] = land(raw, landing, ["twcs"])
    csv = raw / "twcs" / "twcs.csv"
    csv.write_text(csv.read_text().replace("@sprintcare is the worst", "@sprintcare meh"))
    [new] = land(raw, landing, ["twcs"])
    assert new.status == LANDED and new.load_id != old.load_id
    live = live_rows(landing, "twcs", "tweets")
    assert len(live) == 8 and {r["_load_id"] for r in live} == {new.load_id}
    assert any(r["text"] == "@sprintcare meh customer service" for r in live)
    archived = landing / "_archive" / "twcs" / "tweets" / f"load_id={old.load_id}" / "data.parquet"
    assert archived.exists()
    assert (landing / "_archive" / "_quarantine" / "twcs" / f"load_id={old.load_id}").is_dir()
    statuses = {r["load_id"]: r["status"] for r in manifest_rows(landing)}
    assert statuses == {old.load_id: "superseded", new.load_id: "current"}


def test_crash_before_manifest_leaves_the_previous_state(
    land_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, landing = land_dirs
    [old] = land(raw, landing, ["synthetic"])
    csv = raw / "synthetic" / "conversations.csv"
    csv.write_text(csv.read_text().replace("Great thanks", "Great thanks a lot"))

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr("supportlens.ingest.land.write_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        land(raw, landing, ["synthetic"])
    monkeypatch.undo()
    # The next run archives the orphan partition first; readers see one load again.
    [again] = land(raw, landing, ["synthetic"])
    live = live_rows(landing, "synthetic", "turns")
    assert {r["_load_id"] for r in live} == {again.load_id} and len(live) == 6
    assert again.load_id != old.load_id
    assert not (landing / layout.STAGING_DIR).exists()


def test_loader_failure_midway_publishes_nothing(
    land_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, landing = land_dirs
    from supportlens.ingest.loaders import twcs

    def broken(raw_file: object, sink: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(twcs, "load", broken)
    [outcome] = land(raw, landing, ["twcs"])  # recorded against the file, not raised
    assert outcome.status == FAILED
    assert outcome.message == "twcs/twcs.csv: unexpected RuntimeError while landing (disk full)"
    assert not (landing / "twcs").exists()
    [failure] = manifest_rows(landing)
    assert (failure["status"], failure["source_file"]) == ("failed", "twcs/twcs.csv")
    assert failure["reason"] == "unexpected RuntimeError while landing (disk full)"
    assert not failure["tables"] and failure["rows_read"] == 0


def test_an_unexpected_error_in_one_file_does_not_stop_the_others(
    land_dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Regression (issue 20 item 4): a loader error used to escape `land` as a traceback
    naming no file, and every file after it was never landed."""
    landing = land_dirs[1]
    from supportlens.ingest.loaders import bitext

    def broken(raw_file: object, sink: object) -> None:
        raise OverflowError("value too large")

    with monkeypatch.context() as patch:
        patch.setattr(bitext, "load", broken)
        code = main(["-q", "land"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error: bitext/bitext_sample.csv: unexpected OverflowError while landing" in err
    statuses = {r["source_file"]: r["status"] for r in manifest_rows(landing)}
    assert statuses.pop("bitext/bitext_sample.csv") == "failed"
    assert set(statuses.values()) == {"current"} and len(statuses) == 7  # the rest landed
    assert main(["-q", "land"]) == 0  # fixed: it lands, and the failure row is gone
    assert {r["status"] for r in manifest_rows(landing)} == {"current"}


def test_cli_summary_and_whole_file_error(
    land_dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    raw, landing = land_dirs
    (raw / "sgd" / "train" / "dialogues_002.json").write_text('[{"dialogue_id": "x", "tu')
    code = main(["land"])
    out, err = capsys.readouterr()
    assert code == 1
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert error_lines == [
        "error: sgd/train/dialogues_002.json: truncated or invalid JSON at line 1 column 23 "
        "(expected a JSON list of dialogues)"
    ]
    assert "| twcs/twcs.csv | landed | 8 | 8 | 0 |" in out
    assert "| sgd/train/dialogues_002.json | failed |" in out
    assert len(live_rows(landing, "sgd", "dialogues")) == 2  # the good shard still landed
    [failure] = [
        r for r in manifest_rows(landing) if r["source_file"] == "sgd/train/dialogues_002.json"
    ]
    assert failure["status"] == "failed" and failure["reason"].startswith("truncated")


def test_source_filter_and_raw_dir_option(
    land_dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, landing = land_dirs
    other = tmp_path / "elsewhere"
    shutil.copytree(raw / "bitext", other / "bitext")
    assert main(["land", "--source", "bitext", "--raw-dir", str(other)]) == 0
    assert {r["source"] for r in manifest_rows(landing)} == {"bitext"}
    assert "bitext/bitext_sample.csv | landed | 4 | 4 | 0" in capsys.readouterr().out
    assert [o.status for o in land(raw, landing, ["bitext"])] == [UNCHANGED]
    assert FAILED not in {o.status for o in land(raw, landing, ["banking77"])}


def test_bitext_parquet_lands_like_csv(land_dirs: tuple[Path, Path]) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    raw, landing = land_dirs
    csv_path = raw / "bitext" / "bitext_sample.csv"
    table = pacsv.read_csv(csv_path, parse_options=pacsv.ParseOptions(newlines_in_values=True))
    pq.write_table(table, raw / "bitext" / "bitext_copy.parquet")
    land(raw, landing, ["bitext"])
    rows = live_rows(landing, "bitext", "utterances")
    by_file: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_file.setdefault(str(row["_source_file"]), []).append(row)
    strip = ("utterance_id", "_load_id", "_source_file", "_loaded_at")
    csv_rows = [
        {k: v for k, v in r.items() if k not in strip} for r in by_file["bitext/bitext_sample.csv"]
    ]
    pq_rows = [
        {k: v for k, v in r.items() if k not in strip}
        for r in by_file["bitext/bitext_copy.parquet"]
    ]
    assert csv_rows == pq_rows and len(csv_rows) == 4
