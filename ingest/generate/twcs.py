"""TWCS-shaped data: `twcs/twcs.csv` exactly as Kaggle ships "Customer Support on Twitter".

Header `tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id`;
`inbound` is `True`/`False`; `created_at` looks like `Tue Oct 31 22:10:47 +0000 2017`;
`response_tweet_id` is a comma-separated list (quoted when it has several ids) or empty;
`in_response_to_tweet_id` is written as a float (`3.0`) or empty, as pandas wrote the
original file. Customers are numeric author ids, companies their handles.

Threads start with a customer tweet; companies reply after a log-normal delay whose
median depends on the company and on the hour of day (slower at night); customers
sometimes follow up, companies sometimes answer in two tweets (so a tweet has two
responses), and some threads are never answered. Tweet ids are contiguous per thread
but not chronological within it, like the real file, whose rows are sorted by id.

Generation streams in chunks of threads, each with its own seeded random stream, so
memory stays flat at any size and the output is byte-identical for a seed. Ground truth
goes to `_truth/twcs_threads.csv` (one row per thread) and `_truth/twcs_tweets.csv`
(thread root, chronological turn index and reply delay per tweet).
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from supportlens.ingest.generate.bitext import BITEXT_INTENTS
from supportlens.ingest.generate.common import BASE_TIME, STREAM_KEYS, atomic_text_writer

TWCS_HEADER = (
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
)  # fmt: skip
THREAD_TRUTH_HEADER = (
    "thread_root_tweet_id", "company", "customer_author_id", "intent", "tweet_count",
    "customer_tweets", "company_tweets", "started_at", "ended_at", "first_response_seconds",
    "unanswered",
)  # fmt: skip
TWEET_TRUTH_HEADER = (
    "tweet_id",
    "thread_root_tweet_id",
    "turn_index",
    "inbound",
    "reply_delay_seconds",
)
WINDOW_DAYS = 63  # Oct 1 – Dec 2 2017, the span of the Kaggle file
THREADS_PER_CHUNK = 20_000
FIRST_TWEET_ID = 1
FIRST_CUSTOMER_ID = 115_712


@dataclass(frozen=True)
class Company:
    handle: str
    share: float  # relative share of threads
    median_reply_s: float  # median first-reply delay at daytime
    sigma: float  # log-normal spread
    unanswered_rate: float
    signature: str  # appended to replies, as many brands sign their tweets


COMPANIES: tuple[Company, ...] = (
    Company("AmazonHelp", 16, 420, 1.0, 0.04, ""),
    Company("AppleSupport", 12, 900, 1.1, 0.08, ""),
    Company("Uber_Support", 8, 600, 1.0, 0.06, " ^JR"),
    Company("SpotifyCares", 6, 1_200, 1.2, 0.10, " /MK"),
    Company("Delta", 5, 300, 0.9, 0.05, " *AB"),
    Company("Tesco", 5, 1_500, 1.1, 0.09, " - Dan"),
    Company("AmericanAir", 5, 480, 0.9, 0.06, ""),
    Company("TMobileHelp", 5, 360, 1.0, 0.05, " *TJ"),
    Company("comcastcares", 4, 2_400, 1.3, 0.12, ""),
    Company("British_Airways", 4, 3_000, 1.2, 0.10, " Jen"),
    Company("SouthwestAir", 4, 720, 1.0, 0.07, " ^KM"),
    Company("VirginTrains", 3, 240, 0.8, 0.05, " ^MB"),
    Company("Ask_Spectrum", 3, 1_800, 1.2, 0.15, " ^BT"),
    Company("XboxSupport", 3, 900, 1.1, 0.10, ""),
    Company("sprintcare", 3, 2_000, 1.3, 0.14, ""),
    Company("hulu_support", 2, 3_600, 1.3, 0.20, ""),
    Company("AskPlayStation", 2, 5_400, 1.4, 0.22, ""),
    Company("ChipotleTweets", 2, 1_200, 1.2, 0.18, ""),
    Company("UPSHelp", 2, 2_700, 1.2, 0.12, ""),
    Company("AskTarget", 2, 3_200, 1.3, 0.16, ""),
)

# Share of traffic by UTC hour (daytime peak) and how much slower replies are at that hour.
HOUR_WEIGHTS = (2, 1.5, 1, 1, 1, 1.5, 2.5, 4, 5, 6, 6.5, 7, 7, 7, 6.5, 6.5, 6.5, 6, 6, 5.5,
                5, 4.5, 3.5, 2.5)  # fmt: skip
HOUR_SLOWDOWN = (3, 3.5, 4, 4, 4, 3.5, 2.5, 1.6, 1.2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1, 1.2,
                 1.4, 1.6, 2, 2.5)  # fmt: skip

_OPENERS = ("{a}", "I need to {a}", "how do I {a}??", "trying to {a} and it's not working",
            "can someone help me {a}", "why is it so hard to {a}", "hey, I want to {a}",
            "is there a way to {a}?")  # fmt: skip
_MOODS = ("", "", "", " This is ridiculous.", " Thanks!", " 😡", " #fail", " Please help!",
          " so frustrated", " thanks in advance 🙏", " Really disappointed.")  # fmt: skip
_REPLIES = ("We're sorry to hear that. Can you DM us your account details so we can look "
            "into this?", "Thanks for reaching out! Could you tell us a bit more about what "
            "happened?", "I understand. I'd like to assist you, please send us a Private "
            "Message.", "Sorry for the trouble! Please follow the link and we'll take it from "
            "there: https://t.co/{link}", "Happy to help! Which device are you using?",
            "We've passed this on to our team. Keep an eye on your inbox.")  # fmt: skip
_SECOND_PARTS = ("2/2 Once we have that, we can check it for you.",
                 "Also, please include the order or reference number.")  # fmt: skip
_FOLLOW_UPS = ("I already did that and nothing happened", "ok thanks, DM sent",
               "still waiting...", "that worked, thank you!", "Done. Now what?",
               "nope, same problem", "it's been 3 days!!", "thank you so much 😊")  # fmt: skip
_CLOSINGS = ("Glad we could help!", "Thanks, we'll follow up in DM.",
             "We appreciate your patience.", "Let us know if there's anything else.")  # fmt: skip


_LOG_FOLLOW_UP_MEDIAN = math.log(600)  # customers follow up after ~10 minutes


def _phrases() -> list[tuple[str, str]]:
    """(intent, request phrase) pairs from the Bitext catalogue, placeholders filled later."""
    return [(intent, phrase) for intent, (_, phrases, _) in BITEXT_INTENTS.items()
            for phrase in phrases]  # fmt: skip


def _below(rnd: random.Random, n: int) -> int:
    """A uniform integer in [0, n): `random()` scaled, much cheaper than `randrange`."""
    return int(rnd.random() * n)


def _choice(rnd: random.Random, options: tuple[str, ...] | list[tuple[str, str]]) -> Any:
    return options[int(rnd.random() * len(options))]


def _fill(rnd: random.Random, phrase: str) -> str:
    if "{{" not in phrase:
        return phrase
    return (
        phrase.replace("{{Order Number}}", f"#{100_000 + _below(rnd, 900_000)}")
        .replace("{{Refund Amount}}", f"${5 + _below(rnd, 495)}")
        .replace("{{Invoice Number}}", f"INV{10_000 + _below(rnd, 90_000)}")
        .replace("{{Account Type}}", _choice(rnd, ("premium", "family", "business")))
        .replace("{{Account Category}}", "account")
        .replace("{{Person Name}}", _choice(rnd, ("your driver", "your agent", "the courier")))
    )


class _Clock:
    """Format epoch seconds as Twitter's `created_at` and as ISO 8601, caching per minute."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[str, str, str]] = {}
        self._minutes: dict[int, tuple[str, str]] = {}  # ~90 k minutes in the window

    def _day(self, day: int) -> tuple[str, str, str]:
        parts = self._days.get(day)
        if parts is None:
            moment = datetime.fromtimestamp(day * 86_400, tz=UTC)
            parts = (
                moment.strftime("%a %b %d"),
                moment.strftime("%Y"),
                moment.strftime("%Y-%m-%d"),
            )
            self._days[day] = parts
        return parts

    def created_at(self, seconds: int) -> str:
        minute, secs = divmod(seconds, 60)
        parts = self._minutes.get(minute)
        if parts is None:
            day, rest = divmod(minute, 1_440)
            hours, minutes = divmod(rest, 60)
            prefix, year, _ = self._day(day)
            parts = (f"{prefix} {hours:02d}:{minutes:02d}:", f" +0000 {year}")
            self._minutes[minute] = parts
        return f"{parts[0]}{secs:02d}{parts[1]}"

    def iso(self, seconds: int) -> str:
        day, rest = divmod(seconds, 86_400)
        hours, rest = divmod(rest, 3_600)
        minutes, secs = divmod(rest, 60)
        return f"{self._day(day)[2]}T{hours:02d}:{minutes:02d}:{secs:02d}+00:00"


# A tweet while its thread is built: (author, inbound, epoch seconds, text, parent index
# within the thread or -1, seconds after the parent or -1). Tuples keep the hot loop cheap.
_Tweet = tuple[str, bool, int, str, int, int]


def _thread(rnd: random.Random, phrases: list[tuple[str, str]], start: int,
            company: Company, customer: str) -> tuple[str, list[_Tweet]]:  # fmt: skip
    intent, phrase = _choice(rnd, phrases)
    text = _choice(rnd, _OPENERS).format(a=_fill(rnd, phrase)) + _choice(rnd, _MOODS)
    if rnd.random() < 0.02:
        text += "\nSent from my iPhone"
    handle, signature = company.handle, company.signature
    tweets: list[_Tweet] = [(customer, True, start, f"@{handle} {text}", -1, -1)]
    if rnd.random() < company.unanswered_rate:
        return intent, tweets
    company_turns = 0
    while True:
        parent = len(tweets) - 1
        parent_time = tweets[parent][2]
        slowdown = HOUR_SLOWDOWN[(parent_time // 3_600) % 24] * (0.6 if company_turns else 1.0)
        median = company.median_reply_s * slowdown
        delay = max(5, round(rnd.lognormvariate(math.log(median), company.sigma)))
        reply = _choice(rnd, _REPLIES).replace("{link}", f"{_below(rnd, 36**6):x}")
        tweets.append((handle, False, parent_time + delay, f"@{customer} {reply}{signature}",
                       parent, delay))  # fmt: skip
        company_turns += 1
        if rnd.random() < 0.06:
            # A reply split over two tweets: the customer tweet gets two responses.
            gap = 5 + _below(rnd, 85)
            second = _choice(rnd, _SECOND_PARTS)
            tweets.append((handle, False, parent_time + delay + gap,
                           f"@{customer} {second}{signature}", parent, delay + gap))  # fmt: skip
        if company_turns >= 6 or rnd.random() > 0.55 - 0.08 * company_turns:
            return intent, tweets
        parent = len(tweets) - 1
        delay = max(2, round(rnd.lognormvariate(_LOG_FOLLOW_UP_MEDIAN, 1.2)))
        tweets.append((customer, True, tweets[parent][2] + delay,
                       f"@{handle} {_choice(rnd, _FOLLOW_UPS)}", parent, delay))  # fmt: skip
        if rnd.random() < 0.12:
            return intent, tweets  # the customer's last word stays unanswered
        if rnd.random() < 0.15:
            parent = len(tweets) - 1
            delay = max(5, round(rnd.lognormvariate(math.log(company.median_reply_s), 1.0)))
            tweets.append(
                (
                    handle,
                    False,
                    tweets[parent][2] + delay,
                    f"@{customer} {_choice(rnd, _CLOSINGS)}{signature}",
                    parent,
                    delay,
                )
            )
            return intent, tweets


def _chunk_seed(seed: int, chunk: int) -> int:
    state = np.random.SeedSequence([seed, STREAM_KEYS["twcs"], chunk]).generate_state(2)
    return int(state[0]) << 32 | int(state[1])


_Rows = list[tuple[Any, ...]]


def _chunks(seed: int, total: int) -> Iterator[tuple[_Rows, _Rows, _Rows]]:
    """Yield (tweet rows, thread truth rows, tweet truth rows) chunk by chunk."""
    phrases = _phrases()
    company_cum = list(itertools.accumulate(c.share for c in COMPANIES))
    company_total, last_company = float(company_cum[-1]), len(COMPANIES) - 1
    hour_cum = list(itertools.accumulate(HOUR_WEIGHTS))
    hour_total = float(hour_cum[-1])
    clock = _Clock()
    base = int(BASE_TIME.timestamp())
    next_id = FIRST_TWEET_ID
    remaining = total
    chunk = 0
    while remaining > 0:
        rnd = random.Random(_chunk_seed(seed, chunk))
        customer_pool = max(50, total // 4)
        rows: _Rows = []
        thread_truth: _Rows = []
        tweet_truth: _Rows = []
        for _ in range(THREADS_PER_CHUNK):
            if remaining <= 0:
                break
            # Same draw as rnd.choices(..., cum_weights=...), without its per-call setup.
            company = COMPANIES[bisect(company_cum, rnd.random() * company_total, 0, last_company)]
            customer = str(FIRST_CUSTOMER_ID + _below(rnd, customer_pool))
            hour = bisect(hour_cum, rnd.random() * hour_total, 0, 23)
            start = base + _below(rnd, WINDOW_DAYS) * 86_400 + hour * 3_600 + _below(rnd, 3_600)
            intent, tweets = _thread(rnd, phrases, start, company, customer)
            tweets = tweets[:remaining]  # the last thread is cut to hit the exact size
            count = len(tweets)
            remaining -= count
            # Contiguous ids per thread; half the threads numbered newest-first, as in the
            # real file, so ids are not a proxy for time.
            if count > 1 and rnd.random() < 0.5:
                ids = [next_id + count - 1 - position for position in range(count)]
            else:
                ids = [next_id + position for position in range(count)]
            next_id += count
            children: list[list[str]] = [[] for _ in tweets]
            for index, tweet in enumerate(tweets):
                if tweet[4] >= 0:
                    children[tweet[4]].append(str(ids[index]))
            root_id = str(ids[0])
            first_reply = ""
            company_count = 0
            for index, (author, inbound, moment, text, parent, delay) in enumerate(tweets):
                tweet_id = str(ids[index])
                rows.append((
                    ids[index], tweet_id, author, "True" if inbound else "False",
                    clock.created_at(moment), text, ",".join(children[index]),
                    f"{ids[parent]}.0" if parent >= 0 else "",
                ))  # fmt: skip
                tweet_truth.append((tweet_id, root_id, index, "true" if inbound else "false",
                                    delay if delay >= 0 else ""))  # fmt: skip
                if not inbound:
                    if not company_count:
                        first_reply = str(moment - start)
                    company_count += 1
            thread_truth.append((
                root_id, company.handle, customer, intent, count, count - company_count,
                company_count, clock.iso(start), clock.iso(tweets[-1][2]), first_reply,
                "false" if first_reply else "true",
            ))  # fmt: skip
        rows.sort()
        yield [row[1:] for row in rows], thread_truth, tweet_truth
        chunk += 1


def write_twcs(out_dir: Path, seed: int, total: int, progress: bool = False) -> dict[str, int]:
    truth_dir = out_dir / "_truth"
    written = 0
    with (
        atomic_text_writer(out_dir / "twcs" / "twcs.csv") as data_file,
        atomic_text_writer(truth_dir / "twcs_threads.csv") as thread_file,
        atomic_text_writer(truth_dir / "twcs_tweets.csv") as tweet_file,
        tqdm(total=total, unit="tweet", disable=not progress, desc="twcs") as bar,
    ):
        data = csv.writer(data_file, lineterminator="\n")
        threads = csv.writer(thread_file, lineterminator="\n")
        tweets = csv.writer(tweet_file, lineterminator="\n")
        data.writerow(TWCS_HEADER)
        threads.writerow(THREAD_TRUTH_HEADER)
        tweets.writerow(TWEET_TRUTH_HEADER)
        for rows, thread_rows, tweet_rows in _chunks(seed, total):
            data.writerows(rows)
            threads.writerows(thread_rows)
            tweets.writerows(tweet_rows)
            written += len(rows)
            bar.update(len(rows))
    return {"twcs/twcs.csv": written}
