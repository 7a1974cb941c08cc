"""Synthetic support conversations with known truth: `synthetic/conversations.csv`.

Columns `conversation_id, turn_index, speaker (customer|agent), text, timestamp (ISO 8601
with the company's UTC offset), channel, company, intent, sentiment, outcome`. Intent and
outcome are per conversation, sentiment per turn.

- Intents are BANKING77 label names, and customer openings come from the same templates
  as the generated BANKING77 data, so a BANKING77 classifier labels them. One planted
  intent, `crypto_staking`, is in no catalogue; its wording (staking, APY, validator,
  unstake …) is distinctive so that clustering low-confidence utterances recovers it.
- Outcomes: `resolved` (agent fixes it, customer thanks), `failed` (agent cannot help,
  customer unhappy), `abandoned` (agent asks something, customer never replies),
  `escalated` (handed to a specialist), `unanswered` (no agent turn at all). Each intent
  has its own outcome mix, so "which intents fail most" has a real answer.
- Agent reply delays are log-normal per channel (phone seconds, chat a minute, social
  tens of minutes, email hours); the truth file holds the exact first-response seconds.
- Every turn's text is checked with VADER: the sentiment label is the one VADER gives the
  text (compound ≥ 0.05 positive, ≤ -0.05 negative), and the text is drawn to match the
  intended arc (when a request's own words resist, e.g. "my card was stolen", the label
  follows the text), so sentiment analytics can be checked against the truth exactly.

Truth: `_truth/synthetic_conversations.csv` (one row per conversation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from tqdm import tqdm
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from supportlens.ingest.generate.banking77 import fill_slots, utterance
from supportlens.ingest.generate.banking77_labels import BANKING77_LABELS
from supportlens.ingest.generate.common import casual_noise, chance, pick, rng_for, write_csv

PLANTED_INTENT = "crypto_staking"
PLANTED_SHARE = 0.1
SYNTHETIC_BASE = datetime(2024, 3, 1, tzinfo=UTC)
WINDOW_DAYS = 60
OUTCOMES = ("resolved", "failed", "abandoned", "escalated", "unanswered")
BASE_OUTCOME_WEIGHTS = (0.5, 0.13, 0.12, 0.12, 0.13)

HEADER = ("conversation_id", "turn_index", "speaker", "text", "timestamp", "channel",
          "company", "intent", "sentiment", "outcome")  # fmt: skip
TRUTH_HEADER = ("conversation_id", "intent", "planted_intent", "outcome", "channel", "company",
                "turn_count", "customer_turns", "agent_turns", "first_response_seconds",
                "started_at", "ended_at", "first_customer_sentiment",
                "last_customer_sentiment", "last_turn_index")  # fmt: skip

# company -> UTC offset in hours (timestamps carry the company's local offset)
COMPANIES: dict[str, int] = {"NorthBank": 0, "Finly": 1, "Brightpay": -5, "Coinlet": 2}
# channel -> (share, median agent reply seconds, sigma, median customer reply seconds)
CHANNELS: dict[str, tuple[float, float, float, float]] = {
    "chat": (0.45, 50.0, 0.8, 40.0),
    "email": (0.2, 14_400.0, 0.9, 7_200.0),
    "phone": (0.15, 8.0, 0.5, 6.0),
    "social": (0.2, 1_500.0, 1.1, 600.0),
}

# Every planted request says "staking" (plus crypto words no catalogue uses), so the
# planted intent forms one tight cluster rather than one cluster per template.
PLANTED_TEMPLATES = (
    "How do I start crypto staking with my {coin} in the app?",
    "What APY do you pay on {coin} staking?",
    "Can I unstake my {coin} before the staking lock-up period ends?",
    "When are crypto staking rewards for {coin} paid out?",
    "Which validator do you use for {coin} staking and what is the commission?",
    "Do you support crypto staking for {coin}?",
    "My {coin} staking rewards haven't been credited.",
    "Why did the staking APY for {coin} drop to {pct}?",
    "Is there a minimum amount of {coin} for staking?",
)
COINS = ("ETH", "SOL", "ADA", "DOT", "ATOM", "Ethereum", "Solana")

NEGATIVE_OPENERS = ("This is really frustrating. ", "I'm so annoyed. ", "Terrible experience. ",
                    "I'm angry, ", "Awful service so far. ")  # fmt: skip
NEGATIVE_CLOSERS = (" This is ridiculous!", " Really disappointed.", " Terrible.",
                    " I'm furious.", " Worst bank ever.")  # fmt: skip
POSITIVE_OPENERS = ("Hi! Love the app. ", "Hello, great service so far! ", "Hi, thanks! ")
POSITIVE_CLOSERS = (" Thanks, you're great!", " Love the app!", " Much appreciated, thanks!")

# DETAILS[i] answers AGENT_CLARIFY[i].
DETAILS = ("It was on {day}, the amount was {amount}.", "The last digits are {digits}.",
           "It's my main account, the one ending {digits}.",
           "Sure, I've attached the screenshot now.")  # fmt: skip
AGENT_CLARIFY = ("Could you tell me the date and amount of the transaction?",
                 "Can you confirm the last four digits of your card?",
                 "Which account is this about?",
                 "Could you send us a screenshot of what you see in the app?")  # fmt: skip
AGENT_RESOLVE = ("Great news, that's sorted now and everything should work again. Glad to help!",
                 "All fixed! I've updated it for you, you're good to go.",
                 "Happy to help, that's done now. Thanks for your patience!")  # fmt: skip
CUSTOMER_THANKS = ("Thank you so much, that's great!", "Perfect, thanks for the quick help!",
                   "Brilliant, thanks a lot!", "Awesome, thank you!")  # fmt: skip
AGENT_FAIL = ("Unfortunately we can't do that, sorry.",
              "Sorry, I'm afraid that isn't possible and there's nothing more we can do.",
              "Unfortunately that request was rejected and I can't change it.")  # fmt: skip
CUSTOMER_ANGRY = ("This is useless, I'm really disappointed.", "Terrible service. I'm done.",
                  "Ridiculous. What a waste of time.", "That's awful, I'm so angry.")  # fmt: skip
AGENT_ESCALATE = ("I'm transferring you to a specialist team who will contact you.",
                  "I have passed your case to our specialist team; they will reach out.",
                  "Let me hand this over to a senior agent.")  # fmt: skip
CUSTOMER_OK = ("Ok.", "Ok, I will wait.", "Fine, I'll wait for their call.")
CUSTOMER_CHASE = ("Still no answer, this is terrible.", "Hello?? Nobody is replying, awful.",
                  "Why is no one answering? So frustrating.")  # fmt: skip


class _Labeller:
    """VADER with the usual ±0.05 compound thresholds."""

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def label(self, text: str) -> str:
        compound = self._vader.polarity_scores(text)["compound"]
        if compound >= 0.05:
            return "positive"
        if compound <= -0.05:
            return "negative"
        return "neutral"


def _fill_details(rng: np.random.Generator, template: str) -> str:
    return template.format(
        day=pick(rng, ("Monday", "Tuesday", "the 3rd", "yesterday", "the 12th")),
        amount=pick(rng, ("£20", "$150", "€35", "£200")),
        digits=f"{int(rng.integers(0, 10_000)):04d}",
    )


def _customer_opening(rng: np.random.Generator, intent: str, target: str) -> str:
    if intent == PLANTED_INTENT:
        core = pick(rng, PLANTED_TEMPLATES).format(
            coin=pick(rng, COINS), pct=f"{int(rng.integers(2, 9))}%"
        )
        core = casual_noise(rng, core, typo_rate=0.05)
    else:
        core = utterance(rng, intent)
    if target == "negative":
        return (
            pick(rng, NEGATIVE_OPENERS) + core
            if chance(rng, 0.5)
            else core + pick(rng, NEGATIVE_CLOSERS)
        )
    if target == "positive":
        return (
            pick(rng, POSITIVE_OPENERS) + core
            if chance(rng, 0.5)
            else core + pick(rng, POSITIVE_CLOSERS)
        )
    return core


def _matching(labeller: _Labeller, target: str, draw: Callable[[], str]) -> tuple[str, str]:
    """Draw texts until VADER agrees with `target`; the label returned is always VADER's."""
    text = ""
    for _ in range(12):
        text = draw()
        if labeller.label(text) == target:
            return text, target
    # Some requests carry sentiment of their own ("my card was stolen"): keep the text,
    # whose intent matters more, and record the sentiment VADER actually reads in it.
    return text, labeller.label(text)


def _outcome_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-intent outcome mix: the base mix perturbed, so some intents fail more."""
    base = np.array(BASE_OUTCOME_WEIGHTS) * 60
    return {intent: rng.dirichlet(base) for intent in (*BANKING77_LABELS, PLANTED_INTENT)}


def _script(rng: np.random.Generator, outcome: str) -> list[tuple[str, str, str]]:
    """The conversation's turns as (speaker, kind, target sentiment)."""
    opening = pick(rng, ("negative", "neutral", "neutral", "positive"))
    if outcome in {"failed", "unanswered"} and opening == "positive":
        opening = "neutral"
    turns = [("customer", "opening", opening)]
    if outcome == "unanswered":
        if chance(rng, 0.5):
            turns.append(("customer", "chase", "negative"))
        return turns
    questions = [int(q) for q in rng.permutation(len(AGENT_CLARIFY))[:2]]
    turns.append(("agent", f"clarify:{questions[0]}", "neutral"))
    if outcome == "abandoned":
        return turns
    turns.append(("customer", f"details:{questions[0]}", "neutral"))
    if outcome == "resolved" and chance(rng, 0.3):
        turns += [("agent", f"clarify:{questions[1]}", "neutral"),
                  ("customer", f"details:{questions[1]}", "neutral")]  # fmt: skip
    if outcome == "resolved":
        return [*turns, ("agent", "resolve", "positive"), ("customer", "thanks", "positive")]
    if outcome == "failed":
        return [*turns, ("agent", "fail", "negative"), ("customer", "angry", "negative")]
    turns.append(("agent", "escalate", "neutral"))
    if chance(rng, 0.6):
        turns.append(("customer", "ok", "neutral"))
    return turns


_POOLS = {
    "resolve": AGENT_RESOLVE, "thanks": CUSTOMER_THANKS,
    "fail": AGENT_FAIL, "angry": CUSTOMER_ANGRY, "escalate": AGENT_ESCALATE,
    "ok": CUSTOMER_OK, "chase": CUSTOMER_CHASE,
}  # fmt: skip


def _text(rng: np.random.Generator, kind: str, intent: str, target: str) -> str:
    if kind == "opening":
        return _customer_opening(rng, intent, target)
    if kind.startswith("details:"):
        return _fill_details(rng, DETAILS[int(kind.split(":")[1])])
    if kind.startswith("clarify:"):
        return AGENT_CLARIFY[int(kind.split(":")[1])]
    return fill_slots(rng, pick(rng, _POOLS[kind]))


def _conversation(
    rng: np.random.Generator,
    labeller: _Labeller,
    number: int,
    outcome_mix: dict[str, np.ndarray],
) -> tuple[list[tuple[object, ...]], tuple[object, ...]]:
    conversation_id = f"conv-{number:06d}"
    intent = PLANTED_INTENT if chance(rng, PLANTED_SHARE) else pick(rng, BANKING77_LABELS)
    outcome = OUTCOMES[int(rng.choice(len(OUTCOMES), p=outcome_mix[intent]))]
    channels = list(CHANNELS)
    channel = channels[int(rng.choice(len(channels), p=[CHANNELS[c][0] for c in channels]))]
    company = pick(rng, list(COMPANIES))
    offset = timezone(timedelta(hours=COMPANIES[company]))
    _, agent_median, sigma, customer_median = CHANNELS[channel]
    moment = SYNTHETIC_BASE + timedelta(seconds=int(rng.integers(0, WINDOW_DAYS * 86_400)))
    started = moment
    rows: list[tuple[object, ...]] = []
    sentiments: list[tuple[str, str]] = []
    first_response: int | None = None
    previous_speaker = "customer"
    for index, (speaker, kind, target) in enumerate(_script(rng, outcome)):
        if index:
            median, spread = (agent_median, sigma) if speaker == "agent" else (customer_median, 1.0)
            if speaker == previous_speaker:
                median = customer_median * 20  # a customer chasing an unanswered message
            delay = max(1, round(float(rng.lognormal(np.log(median), spread))))
            moment += timedelta(seconds=delay)
            if speaker == "agent" and first_response is None:
                first_response = int((moment - started).total_seconds())
        text, sentiment = _matching(
            labeller, target, lambda k=kind, t=target: _text(rng, k, intent, t)
        )
        sentiments.append((speaker, sentiment))
        rows.append((conversation_id, index, speaker, text,
                     moment.astimezone(offset).isoformat(), channel, company, intent,
                     sentiment, outcome))  # fmt: skip
        previous_speaker = speaker
    customer_sentiments = [s for who, s in sentiments if who == "customer"]
    agent_turns = sum(1 for who, _ in sentiments if who == "agent")
    truth = (
        conversation_id, intent, str(intent == PLANTED_INTENT).lower(), outcome, channel,
        company, len(rows), len(rows) - agent_turns, agent_turns,
        "" if first_response is None else first_response, started.isoformat(),
        moment.isoformat(), customer_sentiments[0], customer_sentiments[-1], len(rows) - 1,
    )  # fmt: skip
    return rows, truth


def write_synthetic(
    out_dir: Path, seed: int, conversations: int, progress: bool = False
) -> dict[str, int]:
    rng = rng_for(seed, "synthetic")
    labeller = _Labeller()
    outcome_mix = _outcome_weights(rng)
    rows: list[tuple[object, ...]] = []
    truths: list[tuple[object, ...]] = []
    numbers = tqdm(
        range(1, conversations + 1), unit="conversation", desc="synthetic", disable=not progress
    )
    for number in numbers:
        conversation_rows, truth = _conversation(rng, labeller, number, outcome_mix)
        rows.extend(conversation_rows)
        truths.append(truth)
    count = write_csv(out_dir / "synthetic" / "conversations.csv", HEADER, rows)
    write_csv(out_dir / "_truth" / "synthetic_conversations.csv", TRUTH_HEADER, truths)
    return {"synthetic/conversations.csv": count}
