"""Reference: the warehouse's main marts computed in pandas, for the dbt benchmark.

Reads the same landed Parquet as dbt and computes fct_turns, fct_conversations,
ml_training_examples and mart_intent_distribution with the same definitions
(docs/warehouse.md), the way a careful pandas script would: vectorised string
normalisation, thread roots by iterative parent propagation, groupby aggregates.
Prints wall time, peak RSS and the row counts / checksums that benchmarks/dbt_full.py
compares with the warehouse.

Usage: python benchmarks/pandas_marts.py LANDING_DIR [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

RULES = (
    (r"\{\{[^}]*\}\}", "<placeholder>"),
    (r"(?:https?://|www\.)[^\s]+", "<url>"),
    (r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", "<email>"),
    (r"@[a-z0-9_]+", "<user>"),
    (r"[0-9]+(?:[.,][0-9]+)*", "<num>"),
    (r"\s+", " "),
)
RATIOS = {"train": 0.8, "validation": 0.1, "test": 0.1}
SALT = "supportlens-v1"


def read(landing: Path, source: str, table: str) -> pd.DataFrame:
    files = sorted((landing / source / table).glob("*/*.parquet"))
    if not files:
        raise FileNotFoundError(f"{landing / source / table}: no landed Parquet")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def normalize(text: pd.Series) -> pd.Series:
    out = text.str.normalize("NFC").str.lower()
    for pattern, token in RULES:
        out = out.str.replace(pattern, token, regex=True)
    return out.str.strip()


def thread_roots(tweets: pd.DataFrame) -> pd.DataFrame:
    """Root per tweet by iterative parent propagation (pointer jumping)."""
    ids = tweets["tweet_id"].to_numpy()
    parent = tweets["in_response_to_tweet_id"].astype("Int64")
    listed = tweets[["tweet_id", "response_tweet_ids"]].explode("response_tweet_ids").dropna()
    listed = listed.groupby("response_tweet_ids")["tweet_id"].min()
    fallback = tweets["tweet_id"].map(listed)
    parent = parent.fillna(fallback.astype("Int64"))
    present = parent.isin(ids) & (parent != tweets["tweet_id"])
    parent = parent.where(present)
    frame = pd.DataFrame({"tweet_id": ids, "parent_tweet_id": parent})
    ancestor = pd.Series(frame["parent_tweet_id"].fillna(frame["tweet_id"]).to_numpy(), index=ids)
    hops = pd.Series(frame["parent_tweet_id"].notna().astype(int).to_numpy(), index=ids)
    for _ in range(12):  # 2**12 > any thread depth
        nxt = ancestor.reindex(ancestor.to_numpy()).to_numpy()
        hops = hops + hops.reindex(ancestor.to_numpy()).to_numpy()
        if np.array_equal(nxt, ancestor.to_numpy()):
            break
        ancestor = pd.Series(nxt, index=ids)
    roots = frame["parent_tweet_id"].isna().to_numpy()
    is_root = pd.Series(roots, index=ids)
    frame["thread_root_tweet_id"] = ancestor.to_numpy()
    frame["depth"] = hops.to_numpy()
    return frame[is_root.reindex(ancestor.to_numpy()).to_numpy()]


def twcs(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    tweets = read(landing, "twcs", "tweets")
    members = thread_roots(tweets)
    turns = members.merge(tweets, on="tweet_id")
    turns = turns.sort_values(["thread_root_tweet_id", "created_at", "tweet_id"])
    turns["turn_index"] = turns.groupby("thread_root_tweet_id").cumcount()
    parent_time = tweets.set_index("tweet_id")["created_at"]
    turns["reply_delay_seconds"] = (
        turns["created_at"] - turns["parent_tweet_id"].map(parent_time)
    ).dt.total_seconds()
    out = pd.DataFrame(
        {
            "turn_id": "twcs:" + turns["tweet_id"].astype(str),
            "conversation_id": "twcs:" + turns["thread_root_tweet_id"].astype(str),
            "source": "twcs",
            "turn_index": turns["turn_index"],
            "speaker": np.where(turns["inbound"], "customer", "agent"),
            "sent_at": turns["created_at"],
            "text": turns["text"],
            "text_normalized": normalize(turns["text"]),
            "reply_delay_seconds": turns["reply_delay_seconds"],
            "author_id": turns["author_id"],
        }
    )
    agents = out[out["speaker"] == "agent"].drop_duplicates("conversation_id")
    company = agents.set_index("conversation_id")["author_id"]
    opening = out[(out["turn_index"] == 0) & (out["speaker"] == "customer")]
    mention = opening.set_index("conversation_id")["text"].str.extract(r"@([A-Za-z0-9_]+)")[0]
    conversations = pd.DataFrame({"conversation_id": out["conversation_id"].unique()})
    conversations["source"] = "twcs"
    conversations["company"] = (
        conversations["conversation_id"]
        .map(company)
        .fillna(conversations["conversation_id"].map(mention))
    )
    has_agent = conversations["conversation_id"].isin(agents["conversation_id"])
    conversations["outcome"] = np.where(has_agent, None, "unanswered")
    conversations["gold_intent"] = None
    return out.drop(columns="author_id"), conversations


def sgd(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    turns = read(landing, "sgd", "turns")
    states = read(landing, "sgd", "states")
    actions = read(landing, "sgd", "actions")
    frames = read(landing, "sgd", "frames")
    dialogues = read(landing, "sgd", "dialogues")
    states = states[states["active_intent"].ne("NONE")]
    intents = (
        states.dropna(subset=["active_intent"])
        .groupby(["dialogue_id", "turn_index"])["active_intent"]
        .agg(lambda s: tuple(sorted(set(s))))
    )
    turns = turns.join(intents.rename("active_intents"), on=["dialogue_id", "turn_index"])
    turns["speaker"] = np.where(turns["speaker"] == "USER", "customer", "agent")
    out = pd.DataFrame(
        {
            "turn_id": "sgd:" + turns["dialogue_id"] + ":" + turns["turn_index"].astype(str),
            "conversation_id": "sgd:" + turns["dialogue_id"],
            "source": "sgd",
            "turn_index": turns["turn_index"],
            "speaker": turns["speaker"],
            "sent_at": pd.NaT,
            "text": turns["utterance"],
            "text_normalized": normalize(turns["utterance"]),
            "reply_delay_seconds": np.nan,
        }
    )
    user = turns[turns["speaker"] == "customer"].sort_values(["dialogue_id", "turn_index"])
    user = user.assign(active_intents=user["active_intents"].apply(
        lambda v: v if isinstance(v, tuple) else ()
    ))  # fmt: skip
    previous = user.groupby("dialogue_id")["active_intents"].shift().apply(
        lambda v: v if isinstance(v, tuple) else ()
    )  # fmt: skip
    user["changed"] = [a != b for a, b in zip(user["active_intents"], previous, strict=True)]
    starts = user[user["changed"] & user["active_intents"].str.len().gt(0)]
    start = starts.groupby("dialogue_id")["turn_index"].max()
    notify = actions[actions["act"].isin(["NOTIFY_SUCCESS", "NOTIFY_FAILURE"])]
    notify = notify[notify["turn_index"] > notify["dialogue_id"].map(start)]
    last = notify.sort_values(["turn_index", "frame_index", "action_index"]).groupby(
        "dialogue_id"
    )["act"].last()  # fmt: skip
    answered = frames[
        frames["service_call_method"].notna()
        & ~frames["service_results_json"].fillna("[]").str.strip().isin(["", "[]", "null"])
    ]
    answered = answered[answered["turn_index"] > answered["dialogue_id"].map(start)]
    ids = dialogues["dialogue_id"]
    outcome = ids.map(last).map({"NOTIFY_SUCCESS": "resolved", "NOTIFY_FAILURE": "failed"})
    outcome = outcome.fillna(pd.Series(
        np.where(ids.isin(answered["dialogue_id"]), "resolved", None), index=ids.index
    ))  # fmt: skip
    outcome = outcome.fillna(pd.Series(np.where(ids.isin(start.index), "abandoned", None)))
    first = user[user["active_intents"].str.len() > 0].drop_duplicates("dialogue_id")
    gold = first.set_index("dialogue_id")["active_intents"].str[0]
    conversations = pd.DataFrame({
        "conversation_id": "sgd:" + ids, "source": "sgd", "company": None,
        "outcome": outcome, "gold_intent": ids.map(gold),
    })  # fmt: skip
    single = user[user["active_intents"].str.len() == 1]
    examples = pd.DataFrame({
        "example_id": "sgd:" + single["dialogue_id"] + ":" + single["turn_index"].astype(str),
        "label_set": "sgd", "text": normalize(single["utterance"]),
        "label": single["active_intents"].str[0], "official_test": False,
    })  # fmt: skip
    return out, conversations, examples


def labelled(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    banking = read(landing, "banking77", "utterances")
    bitext = read(landing, "bitext", "utterances").rename(columns={"instruction": "text"})
    banking["source"], bitext["source"] = "banking77", "bitext"
    bitext["split"] = None
    both = pd.concat([banking, bitext], ignore_index=True)
    both["text_normalized"] = normalize(both["text"])
    conversation_id = both["source"] + ":" + both["utterance_id"]
    turns = pd.DataFrame({
        "turn_id": conversation_id + ":0", "conversation_id": conversation_id,
        "source": both["source"], "turn_index": 0, "speaker": "customer", "sent_at": pd.NaT,
        "text": both["text"], "text_normalized": both["text_normalized"],
        "reply_delay_seconds": np.nan,
    })  # fmt: skip
    conversations = pd.DataFrame({
        "conversation_id": conversation_id, "source": both["source"], "company": None,
        "outcome": None, "gold_intent": both["intent"],
    })  # fmt: skip
    examples = pd.DataFrame({
        "example_id": conversation_id, "label_set": both["source"],
        "text": both["text_normalized"], "label": both["intent"],
        "official_test": both["split"].eq("test"),
    })  # fmt: skip
    return turns, conversations, examples


def synthetic(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = read(landing, "synthetic", "turns").sort_values(["conversation_id", "turn_index"])
    previous = rows.groupby("conversation_id")["sent_at"].shift()
    cid = "synthetic:" + rows["conversation_id"]
    turns = pd.DataFrame({
        "turn_id": cid + ":" + rows["turn_index"].astype(str), "conversation_id": cid,
        "source": "synthetic", "turn_index": rows["turn_index"], "speaker": rows["speaker"],
        "sent_at": rows["sent_at"], "text": rows["text"],
        "text_normalized": normalize(rows["text"]),
        "reply_delay_seconds": (rows["sent_at"] - previous).dt.total_seconds(),
    })  # fmt: skip
    first = rows.drop_duplicates("conversation_id")
    conversations = pd.DataFrame({
        "conversation_id": "synthetic:" + first["conversation_id"], "source": "synthetic",
        "company": first["company"], "outcome": first["outcome"], "gold_intent": first["intent"],
    })  # fmt: skip
    return turns, conversations


def timing(turns: pd.DataFrame) -> pd.DataFrame:
    grouped = turns.groupby("conversation_id")
    out = pd.DataFrame({
        "started_at": grouped["sent_at"].min(), "ended_at": grouped["sent_at"].max(),
        "turn_count": grouped.size(),
        "customer_turn_count": grouped["speaker"].agg(lambda s: int((s == "customer").sum())),
    })  # fmt: skip
    out["agent_turn_count"] = out["turn_count"] - out["customer_turn_count"]
    customer = turns[turns["speaker"] == "customer"].sort_values("turn_index")
    first_customer = customer.drop_duplicates("conversation_id").set_index("conversation_id")
    agents = turns[turns["speaker"] == "agent"]
    agents = agents.join(first_customer[["turn_index", "sent_at"]], on="conversation_id",
                         rsuffix="_customer")  # fmt: skip
    answer = agents[agents["turn_index"] > agents["turn_index_customer"]].sort_values("turn_index")
    answer = answer.drop_duplicates("conversation_id").set_index("conversation_id")
    out["first_response_seconds"] = (
        answer["sent_at"] - answer["sent_at_customer"]
    ).dt.total_seconds()
    return out


def splits(examples: pd.DataFrame) -> pd.Series:
    keys = SALT + examples["example_id"]
    hashes = keys.map(lambda k: hashlib.md5(k.encode()).hexdigest())
    frame = examples.assign(h=hashes).sort_values(["h", "example_id"])
    strata = ["label_set", "label", "official_test"]
    rank = frame.groupby(strata).cumcount()
    n = frame.groupby(strata)["example_id"].transform("size")
    position = (rank + 0.5) / n
    has_test = frame.groupby("label_set")["official_test"].transform("any")
    train, val = RATIOS["train"], RATIOS["validation"]
    two_way = np.where(position < train / (train + val), "train", "validation")
    three_way = np.where(
        position < train, "train", np.where(position < train + val, "validation", "test")
    )
    split = np.where(frame["official_test"], "test", np.where(has_test, two_way, three_way))
    return pd.Series(split, index=frame.index).reindex(examples.index)


def build(landing: Path) -> dict[str, pd.DataFrame]:
    twcs_turns, twcs_conversations = twcs(landing)
    sgd_turns, sgd_conversations, sgd_examples = sgd(landing)
    labelled_turns, labelled_conversations, labelled_examples = labelled(landing)
    synthetic_turns, synthetic_conversations = synthetic(landing)
    fct_turns = pd.concat([twcs_turns, sgd_turns, labelled_turns, synthetic_turns],
                          ignore_index=True)  # fmt: skip
    fct_turns["sent_at"] = pd.to_datetime(fct_turns["sent_at"], utc=True)
    attributes = pd.concat([twcs_conversations, sgd_conversations, labelled_conversations,
                            synthetic_conversations], ignore_index=True)  # fmt: skip
    fct_conversations = attributes.join(timing(fct_turns), on="conversation_id")
    examples = pd.concat([labelled_examples, sgd_examples], ignore_index=True)
    examples = examples[examples["text"].fillna("").ne("")]
    examples["split"] = splits(examples)
    day = fct_conversations["started_at"].dt.date
    distribution = (
        fct_conversations.assign(
            activity_date=day, intent=fct_conversations["gold_intent"].fillna("unknown")
        )
        .groupby(["source", "intent", "activity_date"], dropna=False)
        .size()
        .rename("conversation_count")
        .reset_index()
    )
    distribution["share_of_source"] = distribution["conversation_count"] / distribution.groupby(
        "source"
    )["conversation_count"].transform("sum")
    scoring = fct_turns[(fct_turns["speaker"] == "customer")
                        & fct_turns["source"].isin(["twcs", "synthetic"])]  # fmt: skip
    return {"fct_turns": fct_turns, "fct_conversations": fct_conversations,
            "ml_training_examples": examples, "mart_intent_distribution": distribution,
            "ml_scoring_inputs": scoring}  # fmt: skip


def summary(marts: dict[str, pd.DataFrame]) -> dict[str, float]:
    conversations = marts["fct_conversations"]
    return {
        "fct_turns rows": len(marts["fct_turns"]),
        "fct_conversations rows": len(conversations),
        "sum first_response_seconds": float(conversations["first_response_seconds"].sum()),
        "resolved conversations": int((conversations["outcome"] == "resolved").sum()),
        "ml_training_examples train rows": int(
            (marts["ml_training_examples"]["split"] == "train").sum()
        ),
        "ml_scoring_inputs rows": len(marts["ml_scoring_inputs"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--json", type=Path, default=None, help="write timings + summary here")
    args = parser.parse_args()
    started = time.perf_counter()
    marts = build(args.landing)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"seconds": seconds, "peak_rss_mib": peak, "summary": summary(marts)}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
