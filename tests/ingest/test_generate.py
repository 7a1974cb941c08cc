"""The seeded generator: determinism, real-dataset shapes, link integrity and ground truth."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from supportlens.ingest.generate import corrupt, generate_all
from supportlens.ingest.generate import twcs as twcs_module
from supportlens.ingest.generate.banking77_labels import BANKING77_LABELS
from supportlens.ingest.generate.bitext import BITEXT_INTENTS
from supportlens.ingest.generate.scales import SCALES
from supportlens.ingest.generate.synthetic import PLANTED_INTENT

REAL_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SEED = 7
DATA_FILES = (
    "banking77/train.csv", "banking77/test.csv", "banking77/categories.json",
    "bitext/bitext_customer_support.csv", "sgd/train/dialogues_001.json",
    "sgd/train/dialogues_002.json", "sgd/train/schema.json", "twcs/twcs.csv",
    "synthetic/conversations.csv",
)  # fmt: skip
CONSTANT_FILES = {"banking77/categories.json", "sgd/train/schema.json"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all_files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sha256(p) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate_all(out, SEED, "sample")
    return out


# --- determinism -----------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(raw: Path, tmp_path: Path) -> None:
    generate_all(tmp_path, SEED, "sample")
    first, second = _all_files(raw), _all_files(tmp_path)
    assert set(DATA_FILES) <= set(first)
    assert first == second


def test_different_seed_changes_every_data_file(raw: Path, tmp_path: Path) -> None:
    generate_all(tmp_path, SEED + 1, "sample")
    for name in DATA_FILES:
        same = _sha256(raw / name) == _sha256(tmp_path / name)
        assert same == (name in CONSTANT_FILES), name


def test_manifest_lists_every_file_with_its_hash(raw: Path) -> None:
    manifest = pd.read_csv(raw / "_truth" / "manifest.csv")
    assert sorted(manifest.path) == sorted(DATA_FILES)
    for row in manifest.itertuples():
        assert row.sha256 == _sha256(raw / row.path)
        assert row.bytes == (raw / row.path).stat().st_size


# --- BANKING77 -------------------------------------------------------------------------


def test_banking77_shape(raw: Path) -> None:
    for split, expected in (("train", 770), ("test", 231)):
        data = (raw / "banking77" / f"{split}.csv").read_bytes()
        assert data.startswith(b"text,category\r\n")
        assert data.count(b"\n") == data.count(b"\r\n")  # CRLF like the public file
        frame = pd.read_csv(raw / "banking77" / f"{split}.csv")
        assert list(frame.columns) == ["text", "category"]
        assert len(frame) == expected
        assert set(frame.category) <= set(BANKING77_LABELS)
        assert frame.text.str.len().min() > 0
    train = pd.read_csv(raw / "banking77" / "train.csv")
    assert train.category.nunique() == 77
    labels = json.loads((raw / "banking77" / "categories.json").read_text())
    assert labels == list(BANKING77_LABELS)


@pytest.mark.realdata
def test_banking77_matches_the_real_label_file() -> None:
    real = REAL_DATA / "banking77" / "categories.json"
    if not real.exists():
        pytest.skip(f"real data absent: {real}")
    assert json.loads(real.read_text()) == list(BANKING77_LABELS)


@pytest.mark.slow
def test_banking77_is_learnable_but_not_trivial(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    generate_all(tmp_path, SEED, "small", sources=("banking77",))
    train = pd.read_csv(tmp_path / "banking77" / "train.csv")
    test = pd.read_csv(tmp_path / "banking77" / "test.csv")
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                          LinearSVC())  # fmt: skip
    model.fit(train.text, train.category)
    accuracy = float((model.predict(test.text) == test.category).mean())
    assert 0.6 < accuracy < 0.97, accuracy


# --- Bitext ----------------------------------------------------------------------------


def test_bitext_shape(raw: Path) -> None:
    frame = pd.read_csv(raw / "bitext" / "bitext_customer_support.csv", keep_default_na=False)
    assert list(frame.columns) == ["flags", "instruction", "category", "intent", "response"]
    assert len(frame) == 540
    assert frame.intent.nunique() == 27
    assert sorted(frame.category.unique()) == [
        "ACCOUNT", "CANCELLATION_FEE", "CONTACT", "DELIVERY", "FEEDBACK", "INVOICE",
        "NEWSLETTER", "ORDER", "PAYMENT", "REFUND", "SHIPPING_ADDRESS",
    ]  # fmt: skip
    assert frame["flags"].str.fullmatch(r"B[CIKLPQWZ]*").all()
    for flags in frame["flags"]:
        assert list(flags) == sorted(flags)
    placeholders = frame.instruction.str.cat(frame.response).str.findall(r"\{\{[^}]+\}\}")
    assert placeholders.map(len).sum() > 0
    assert frame.response.str.contains("\n").any()  # multi-line fields, quoted
    for row in frame.itertuples():
        assert BITEXT_INTENTS[row.intent][0] == row.category


# --- SGD -------------------------------------------------------------------------------

# The real SGD structure (abridged from dialogues_001.json), used when ../shared/data is absent.
SGD_FIXTURE: list[dict[str, Any]] = [{
    "dialogue_id": "1_00000", "services": ["Restaurants_1"],
    "turns": [
        {"frames": [{"actions": [{"act": "INFORM_INTENT", "canonical_values": ["FindRestaurants"],
                                  "slot": "intent", "values": ["FindRestaurants"]}],
                     "service": "Restaurants_1", "slots": [],
                     "state": {"active_intent": "FindRestaurants", "requested_slots": [],
                               "slot_values": {}}}],
         "speaker": "USER", "utterance": "I would like to find a place to eat."},
        {"frames": [{"actions": [{"act": "REQUEST", "canonical_values": [], "slot": "city",
                                  "values": []}],
                     "service": "Restaurants_1", "slots": []}],
         "speaker": "SYSTEM", "utterance": "Which city?"},
        {"frames": [{"actions": [{"act": "INFORM", "canonical_values": ["San Jose"],
                                  "slot": "city", "values": ["San Jose"]}],
                     "service": "Restaurants_1",
                     "slots": [{"exclusive_end": 37, "slot": "city", "start": 29}],
                     "state": {"active_intent": "FindRestaurants", "requested_slots": [],
                               "slot_values": {"city": ["San Jose"]}}}],
         "speaker": "USER", "utterance": "I would like for it to be in San Jose."},
        {"frames": [{"actions": [{"act": "NOTIFY_SUCCESS", "canonical_values": [], "slot": "",
                                  "values": []}],
                     "service": "Restaurants_1",
                     "service_call": {"method": "ReserveRestaurant", "parameters": {"city": "X"}},
                     "service_results": [{"city": "X"}], "slots": []}],
         "speaker": "SYSTEM", "utterance": "Your table has been reserved."},
    ],
}]  # fmt: skip
SGD_SCHEMA_FIXTURE = [{
    "service_name": "Banks_1", "description": "Manage bank accounts",
    "slots": [{"name": "account_type", "description": "d", "is_categorical": True,
               "possible_values": ["checking"]}],
    "intents": [{"name": "CheckBalance", "description": "d", "is_transactional": False,
                 "required_slots": ["account_type"], "optional_slots": {},
                 "result_slots": ["account_type"]}],
}]  # fmt: skip
REAL_SGD_ACTS = {
    "AFFIRM", "AFFIRM_INTENT", "CONFIRM", "GOODBYE", "INFORM", "INFORM_COUNT", "INFORM_INTENT",
    "NEGATE", "NEGATE_INTENT", "NOTIFY_FAILURE", "NOTIFY_SUCCESS", "OFFER", "OFFER_INTENT",
    "REQUEST", "REQUEST_ALTS", "REQ_MORE", "SELECT", "THANK_YOU",
}  # fmt: skip


def _key_shapes(dialogues: list[dict[str, Any]]) -> dict[str, set[tuple[str, ...]]]:
    """Every distinct key set per structural level of SGD dialogues."""
    shapes: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for dialogue in dialogues:
        shapes["dialogue"].add(tuple(dialogue))
        for turn in dialogue["turns"]:
            shapes["turn"].add(tuple(turn))
            for frame in turn["frames"]:
                shapes[f"frame:{turn['speaker']}"].add(tuple(frame))
                for action in frame["actions"]:
                    shapes["action"].add(tuple(action))
                for span in frame["slots"]:
                    shapes["span"].add(tuple(span))
                if "state" in frame:
                    shapes["state"].add(tuple(frame["state"]))
                if "service_call" in frame:
                    shapes["service_call"].add(tuple(frame["service_call"]))
    return shapes


def _real_sgd() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    folder = REAL_DATA / "sgd" / "train"
    if (folder / "dialogues_001.json").exists():
        return (json.loads((folder / "dialogues_001.json").read_text()),
                json.loads((folder / "schema.json").read_text()))  # fmt: skip
    return SGD_FIXTURE, SGD_SCHEMA_FIXTURE


def test_sgd_structure_matches_the_real_files(raw: Path) -> None:
    real_dialogues, real_schema = _real_sgd()
    folder = raw / "sgd" / "train"
    generated: list[dict[str, Any]] = []
    for number in (1, 2):
        text = (folder / f"dialogues_{number:03d}.json").read_text()
        dialogues = json.loads(text)
        assert len(dialogues) == 128
        assert text == json.dumps(dialogues, indent=2, sort_keys=True) + "\n"
        assert [d["dialogue_id"] for d in dialogues] == [f"{number}_{i:05d}" for i in range(128)]
        generated += dialogues
    ours, theirs = _key_shapes(generated), _key_shapes(real_dialogues)
    assert set(ours) == set(theirs)
    for level, shapes in ours.items():
        assert shapes == theirs[level], level
    schema_text = (folder / "schema.json").read_text()
    schema = json.loads(schema_text)
    assert schema_text == json.dumps(schema, indent=2) + "\n"
    for ours_service in schema:
        assert list(ours_service) == list(real_schema[0])
        assert {tuple(s) for s in ours_service["slots"]} == {tuple(real_schema[0]["slots"][0])}
        assert {tuple(i) for i in ours_service["intents"]} == {tuple(real_schema[0]["intents"][0])}


def test_sgd_dialogues_are_well_formed(raw: Path) -> None:
    schema = json.loads((raw / "sgd" / "train" / "schema.json").read_text())
    intents = {i["name"] for s in schema for i in s["intents"]}
    services = {s["service_name"] for s in schema}
    for shard in sorted((raw / "sgd" / "train").glob("dialogues_*.json")):
        for dialogue in json.loads(shard.read_text()):
            speakers = [t["speaker"] for t in dialogue["turns"]]
            assert speakers[0] == "USER" and speakers[-1] == "SYSTEM"
            assert all(a != b for a, b in itertools.pairwise(speakers))
            assert set(dialogue["services"]) <= services
            for turn in dialogue["turns"]:
                for frame in turn["frames"]:
                    assert frame["service"] in dialogue["services"]
                    for action in frame["actions"]:
                        assert action["act"] in REAL_SGD_ACTS
                    for span in frame["slots"]:
                        value = turn["utterance"][span["start"] : span["exclusive_end"]]
                        mentioned = [v for a in frame["actions"] for v in a["values"]]
                        assert value in mentioned
                    if "state" in frame:
                        assert frame["state"]["active_intent"] in intents


def test_sgd_truth_agrees_with_the_acts(raw: Path) -> None:
    truth = pd.read_csv(raw / "_truth" / "sgd_dialogues.csv", keep_default_na=False)
    dialogues = {}
    for shard in sorted((raw / "sgd" / "train").glob("dialogues_*.json")):
        dialogues |= {d["dialogue_id"]: d for d in json.loads(shard.read_text())}
    assert set(truth.dialogue_id) == set(dialogues)
    assert set(truth.outcome) == {"resolved", "failed", "abandoned"}
    assert (truth.intent_switches > 0).any()
    for row in truth.itertuples():
        turns = dialogues[row.dialogue_id]["turns"]
        assert row.turn_count == len(turns)
        acts = [[a["act"] for f in t["frames"] for a in f["actions"]] for t in turns]
        notifies = [act for turn in acts for act in turn if act.startswith("NOTIFY_")]
        user_intents = [
            f["state"]["active_intent"] for t in turns if t["speaker"] == "USER"
            for f in t["frames"]
        ]  # fmt: skip
        switches = sum(1 for a, b in itertools.pairwise(user_intents) if a != b)
        assert switches == row.intent_switches
        if row.first_notify_failure_turn != "":
            assert "NOTIFY_FAILURE" in acts[int(row.first_notify_failure_turn)]
        else:
            assert "NOTIFY_FAILURE" not in notifies
        if row.outcome == "failed":
            assert notifies and notifies[-1] == "NOTIFY_FAILURE"
        if row.outcome == "abandoned":
            assert "GOODBYE" in acts[-2] and "THANK_YOU" not in acts[-2]


# --- TWCS ------------------------------------------------------------------------------

CREATED_AT = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} "
                        r"\+0000 \d{4}")  # fmt: skip


def _twcs(root: Path) -> list[dict[str, str]]:
    with open(root / "twcs" / "twcs.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_twcs_has_kaggles_exact_format(raw: Path) -> None:
    header = (raw / "twcs" / "twcs.csv").read_text().split("\n", 1)[0]
    assert header == ("tweet_id,author_id,inbound,created_at,text,response_tweet_id,"
                      "in_response_to_tweet_id")  # fmt: skip
    rows = _twcs(raw)
    assert len(rows) == 600
    assert [int(r["tweet_id"]) for r in rows] == list(range(1, 601))
    for row in rows:
        assert row["inbound"] in {"True", "False"}
        assert CREATED_AT.fullmatch(row["created_at"]), row["created_at"]
        assert re.fullmatch(r"(\d+(,\d+)*)?", row["response_tweet_id"])
        assert re.fullmatch(r"(\d+\.0)?", row["in_response_to_tweet_id"])
        assert row["author_id"].isdigit() == (row["inbound"] == "True")
    assert any("," in r["response_tweet_id"] for r in rows)  # some tweets get two replies
    assert '"' in (raw / "twcs" / "twcs.csv").read_text()  # lists and commas are quoted


def _seconds(created_at: str) -> int:
    return int(datetime.strptime(created_at, "%a %b %d %H:%M:%S %z %Y").timestamp())


def _check_twcs_against_truth(root: Path) -> None:
    rows = {int(r["tweet_id"]): r for r in _twcs(root)}
    parent: dict[int, int] = {}
    for tweet_id, row in rows.items():
        if row["in_response_to_tweet_id"]:
            parent[tweet_id] = int(float(row["in_response_to_tweet_id"]))
            assert parent[tweet_id] in rows, f"dangling reply link in tweet {tweet_id}"
    for tweet_id, row in rows.items():
        responses = [int(x) for x in row["response_tweet_id"].split(",") if x]
        assert sorted(responses) == sorted(c for c, p in parent.items() if p == tweet_id)

    def root_of(tweet_id: int) -> int:
        while tweet_id in parent:
            tweet_id = parent[tweet_id]
        return tweet_id

    threads: dict[int, list[int]] = defaultdict(list)
    for tweet_id in rows:
        threads[root_of(tweet_id)].append(tweet_id)
    truth = pd.read_csv(root / "_truth" / "twcs_threads.csv", keep_default_na=False,
                        dtype={"unanswered": str, "customer_author_id": str})  # fmt: skip
    assert sorted(truth.thread_root_tweet_id) == sorted(threads)
    assert truth.unanswered.isin(["true", "false"]).all()
    for row in truth.itertuples():
        members = sorted(threads[row.thread_root_tweet_id],
                         key=lambda t: (_seconds(rows[t]["created_at"]), t))  # fmt: skip
        assert rows[members[0]]["inbound"] == "True"
        assert row.tweet_count == len(members)
        replies = [t for t in members if rows[t]["inbound"] == "False"]
        assert row.company_tweets == len(replies)
        assert (row.unanswered == "true") == (not replies)
        if replies:
            first = _seconds(rows[replies[0]]["created_at"]) - _seconds(
                rows[members[0]]["created_at"]
            )
            assert int(row.first_response_seconds) == first
            assert rows[replies[0]]["author_id"] == row.company
    tweets = pd.read_csv(root / "_truth" / "twcs_tweets.csv", keep_default_na=False)
    assert len(tweets) == len(rows)
    for row in tweets.itertuples():
        assert root_of(row.tweet_id) == row.thread_root_tweet_id
        if row.reply_delay_seconds != "":
            delay = (_seconds(rows[row.tweet_id]["created_at"])
                     - _seconds(rows[parent[row.tweet_id]]["created_at"]))  # fmt: skip
            assert delay == int(row.reply_delay_seconds) > 0


def test_twcs_links_and_truth_are_consistent(raw: Path) -> None:
    _check_twcs_against_truth(raw)


def test_twcs_spans_chunks_and_hits_the_exact_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(twcs_module, "THREADS_PER_CHUNK", 37)
    twcs_module.write_twcs(tmp_path, SEED, 1_001)
    rows = _twcs(tmp_path)
    assert [int(r["tweet_id"]) for r in rows] == list(range(1, 1_002))
    _check_twcs_against_truth(tmp_path)


def test_twcs_reply_delays_depend_on_company(tmp_path: Path) -> None:
    twcs_module.write_twcs(tmp_path, SEED, 20_000)
    truth = pd.read_csv(tmp_path / "_truth" / "twcs_threads.csv")
    medians = (
        truth.dropna(subset=["first_response_seconds"])
        .groupby("company")["first_response_seconds"]
        .median()
    )
    assert medians["VirginTrains"] * 5 < medians["AskPlayStation"]
    assert 0.03 < (truth.unanswered).mean() < 0.3


# --- synthetic conversations -----------------------------------------------------------


def test_synthetic_columns_and_values(raw: Path) -> None:
    frame = pd.read_csv(raw / "synthetic" / "conversations.csv")
    assert list(frame.columns) == ["conversation_id", "turn_index", "speaker", "text",
                                   "timestamp", "channel", "company", "intent", "sentiment",
                                   "outcome"]  # fmt: skip
    assert set(frame.speaker) == {"customer", "agent"}
    assert set(frame.channel) == {"chat", "email", "phone", "social"}
    assert set(frame.sentiment) == {"negative", "neutral", "positive"}
    assert set(frame.outcome) == {"resolved", "failed", "abandoned", "escalated", "unanswered"}
    assert set(frame.intent) - set(BANKING77_LABELS) == {PLANTED_INTENT}
    for stamp in frame.timestamp:
        assert datetime.fromisoformat(stamp).utcoffset() is not None
    for _, turns in frame.groupby("conversation_id"):
        assert list(turns.turn_index) == list(range(len(turns)))
        assert turns.intent.nunique() == 1 and turns.outcome.nunique() == 1
        assert turns.iloc[0].speaker == "customer"


def test_synthetic_sentiment_agrees_with_vader(raw: Path) -> None:
    frame = pd.read_csv(raw / "synthetic" / "conversations.csv")
    vader = SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = vader.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    assert [label(t) for t in frame.text] == list(frame.sentiment)


def test_synthetic_truth_matches_the_turns(raw: Path) -> None:
    frame = pd.read_csv(raw / "synthetic" / "conversations.csv")
    truth = pd.read_csv(raw / "_truth" / "synthetic_conversations.csv", keep_default_na=False,
                        dtype={"planted_intent": str})  # fmt: skip
    assert sorted(truth.conversation_id) == sorted(frame.conversation_id.unique())
    by_id = dict(tuple(frame.groupby("conversation_id")))
    for row in truth.itertuples():
        turns = by_id[row.conversation_id]
        speakers = list(turns.speaker)
        stamps = [datetime.fromisoformat(s) for s in turns.timestamp]
        assert stamps == sorted(stamps)
        assert row.turn_count == len(turns) and row.agent_turns == speakers.count("agent")
        assert (row.planted_intent == "true") == (row.intent == PLANTED_INTENT)
        if "agent" in speakers:
            first = stamps[speakers.index("agent")] - stamps[0]
            assert int(row.first_response_seconds) == first.total_seconds()
        else:
            assert row.first_response_seconds == "" and row.outcome == "unanswered"
        customer = turns[turns.speaker == "customer"].sentiment.tolist()
        assert (row.first_customer_sentiment, row.last_customer_sentiment) == (
            customer[0],
            customer[-1],
        )
        if row.outcome == "abandoned":
            assert speakers[-1] == "agent"
        if row.outcome == "resolved":
            assert row.last_customer_sentiment == "positive"
        if row.outcome == "failed":
            assert row.last_customer_sentiment == "negative"


def test_planted_intent_has_distinctive_wording(raw: Path) -> None:
    frame = pd.read_csv(raw / "synthetic" / "conversations.csv")
    openings = frame[frame.turn_index == 0]
    distinctive = openings.text.str.contains(r"stak|APY|validator", case=False)
    planted = openings.intent == PLANTED_INTENT
    assert planted.sum() >= 10
    assert distinctive[planted].all() and not distinctive[~planted].any()
    catalogue = set(BANKING77_LABELS) | set(BITEXT_INTENTS)
    assert PLANTED_INTENT not in catalogue


# --- corruption, scales and the command -------------------------------------------------


def test_corrupt_writes_the_listed_problems(raw: Path, tmp_path: Path) -> None:
    log = corrupt(raw, tmp_path)
    listed = pd.read_csv(tmp_path / "_truth" / "corruptions.csv")
    assert len(listed) == len(log) >= 20
    assert {"banking77", "bitext", "sgd", "twcs", "synthetic"} == {
        p.split("/")[0] for p in listed.path
    }
    assert b"\xff\xfe" in (tmp_path / "banking77" / "train.csv").read_bytes()
    with pytest.raises(json.JSONDecodeError):
        json.loads((tmp_path / "sgd" / "train" / "dialogues_002.json").read_text())
    with open(tmp_path / "twcs" / "twcs.csv", encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))[1:]
    assert records[1][3] == "31/10/2017 22:10" and len(records[9]) == 5
    assert records[5][0] == records[0][0]  # the duplicate id
    untouched = [
        i for i in range(1, 40) if i not in set(listed[listed.path == "twcs/twcs.csv"].record)
    ]
    original = _twcs(raw)
    for number in untouched:
        assert records[number - 1] == list(original[number - 1].values())


def test_scales_grow_and_full_matches_the_public_sizes() -> None:
    sample, small, full = SCALES["sample"], SCALES["small"], SCALES["full"]
    assert small.twcs_tweets == 10 * sample.twcs_tweets
    assert full.twcs_tweets == 2_811_774 and full.sgd_dialogues == 20_000
    assert full.bitext_rows == 26_872 and full.banking77_train + full.banking77_test == 13_083


def test_cli_writes_to_the_configured_raw_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from supportlens.cli import main

    monkeypatch.setenv("SUPPORTLENS_PATHS_RAW_DIR", str(tmp_path / "configured"))
    assert main(["-q", "generate", "--only", "bitext", "--seed", "3"]) == 0
    assert (tmp_path / "configured" / "bitext" / "bitext_customer_support.csv").is_file()
    assert main(["-q", "generate", "--out", str(tmp_path / "explicit"), "--only", "twcs"]) == 0
    assert (tmp_path / "explicit" / "twcs" / "twcs.csv").is_file()
    assert "wrote 1 files" in capsys.readouterr().out
