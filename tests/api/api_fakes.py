"""Small stand-ins for the model registry and sentiment scorer, and a fixture warehouse
with the tables the API reads (built in tmp_path, published like the real pipeline)."""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportlens.api.errors import ModelNotFound, NoActiveModel
from supportlens.config import Settings
from supportlens.warehouse import publish, writer

API_KEY = "test-key"


def auth(key: str = API_KEY) -> dict[str, str]:
    return {"X-API-Key": key}


def with_api(settings: Settings, **api: Any) -> Settings:
    """Settings with some [api] keys replaced, converted and checked like file values."""
    return dataclasses.replace(settings, api=settings.api.with_values(**api))


KEYWORDS = {
    "card": "card_arrival",
    "password": "passcode_forgotten",
    "refund": "request_refund",
}


@dataclass
class FakePrediction:
    label: str
    confidence: float
    top_labels: list[str]
    top_scores: list[float]


@dataclass
class FakePredictor:
    """Keyword rules; `delay` makes predictions slow so a swap can overlap them."""

    model_version: str
    labels: list[str] = field(default_factory=lambda: [*KEYWORDS.values(), "other"])
    delay: float = 0.0
    calls: int = 0

    def predict(self, texts: list[str], top_k: int = 3) -> list[FakePrediction]:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        out = []
        for text in texts:
            label = next((v for k, v in KEYWORDS.items() if k in text.lower()), "other")
            ranked = [label, *[x for x in self.labels if x != label]][:top_k]
            scores = [0.7, *[0.3 / max(1, len(ranked) - 1)] * (len(ranked) - 1)][: len(ranked)]
            out.append(FakePrediction(label, 0.7, ranked, scores))
        return out


class FakeRegistry:
    """Versions per label set, one active each; counts loads to prove sharing."""

    def __init__(self, versions: dict[str, str], active: dict[str, str]) -> None:
        self.versions = dict(versions)  # version -> label set
        self.active = dict(active)  # label set -> version
        self.loads = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    def load_active(self, label_set: str) -> FakePredictor:
        with self._lock:
            self.loads += 1
        version = self.active.get(label_set)
        if version is None:
            raise NoActiveModel(
                f"no active model for label set {label_set!r}; run `supportlens train`"
            )
        return FakePredictor(model_version=version, delay=self.delay)

    def _record(self, version: str) -> dict[str, Any]:
        label_set = self.versions[version]
        return {
            "model_version": version,
            "label_set": label_set,
            "model_type": "tfidf_linear",
            "base_model": None,
            "created_at": "2026-01-01T00:00:00+00:00",
            "is_active": self.active.get(label_set) == version,
            "train_rows": 100,
            "val_accuracy": 0.9,
        }

    def list_models(self) -> list[dict[str, Any]]:
        return [self._record(v) for v in sorted(self.versions)]

    def describe(self, model_version: str) -> dict[str, Any]:
        if model_version not in self.versions:
            raise ModelNotFound(f"no model version {model_version!r}")
        return {**self._record(model_version), "card": {"notes": "fake"}}

    def activate(self, model_version: str) -> str:
        if model_version not in self.versions:
            raise ModelNotFound(f"no model version {model_version!r}")
        label_set = self.versions[model_version]
        self.active[label_set] = model_version
        return label_set


class FakeSentiment:
    def score(self, texts: list[str]) -> list[tuple[str, float]]:
        out = []
        for text in texts:
            lower = text.lower()
            if "thanks" in lower or "great" in lower:
                out.append(("positive", 0.6))
            elif "still" in lower or "angry" in lower:
                out.append(("negative", -0.6))
            else:
                out.append(("neutral", 0.0))
        return out


def fake_registry() -> FakeRegistry:
    return FakeRegistry(
        versions={"b77-v1": "banking77", "b77-v2": "banking77", "bitext-v1": "bitext"},
        active={"banking77": "b77-v1", "bitext": "bitext-v1"},
    )


FIXTURE_SQL = """
create or replace table fct_conversations as
select * from (values
    ('c1', 'synthetic', 'c1', 'chat', 'acme', null::varchar, timestamptz '2026-01-01 10:00:00+00',
     timestamptz '2026-01-01 10:05:00+00', 2, 1, 1, 60, 'resolved', 'card_arrival',
     'banking77', 'banking77:card_arrival'),
    ('c2', 'synthetic', 'c2', 'email', 'acme', null, timestamptz '2026-01-02 10:00:00+00',
     timestamptz '2026-01-02 11:00:00+00', 2, 1, 1, 600, 'failed', null, null, null),
    ('c3', 'twcs', 't3', 'twitter', 'globex', null, timestamptz '2026-01-02 12:00:00+00',
     timestamptz '2026-01-02 12:30:00+00', 3, 2, 1, 120, 'escalated', null, null, null)
) as t(conversation_id, source, source_conversation_id, channel, company, service,
       started_at, ended_at, turn_count, customer_turn_count, agent_turn_count,
       first_response_seconds, outcome, gold_intent, intent_label_set, intent_id);

create or replace table fct_turns as
select * from (values
    ('c1-0', 'c1', 'synthetic', 0, 'customer', 'u1', timestamptz '2026-01-01 10:00:00+00',
     'where is my card', null, null, 'card_arrival', 'banking77', 'negative'),
    ('c1-1', 'c1', 'synthetic', 1, 'agent', 'a1', timestamptz '2026-01-01 10:01:00+00',
     'it is on its way', 'c1-0', 60, null, null, 'neutral'),
    ('c2-0', 'c2', 'synthetic', 0, 'customer', 'u2', timestamptz '2026-01-02 10:00:00+00',
     'I want a refund', null, null, null, null, 'negative'),
    ('c2-1', 'c2', 'synthetic', 1, 'agent', 'a2', timestamptz '2026-01-02 10:10:00+00',
     'sorry', 'c2-0', 600, null, null, 'neutral'),
    ('c3-0', 't3', 'twcs', 0, 'customer', 'u3', timestamptz '2026-01-02 12:00:00+00',
     'forgot my password', null, null, null, null, null),
    ('c3-1', 'c3', 'twcs', 1, 'agent', 'a3', timestamptz '2026-01-02 12:02:00+00',
     'we can help', 'c3-0', 120, null, null, null),
    ('c3-2', 'c3', 'twcs', 2, 'customer', 'u3', timestamptz '2026-01-02 12:10:00+00',
     'thanks great', 'c3-1', null, null, null, null)
) as t(turn_id, conversation_id, source, turn_index, speaker, author_id, sent_at, text,
       parent_turn_id, reply_delay_seconds, gold_intent, intent_label_set, gold_sentiment);
update fct_turns set conversation_id = 'c3' where turn_id = 'c3-0';

-- The scored sentiment the marts add (customer turns); c1-0 has none (UDFs absent).
create or replace table mart_turn_sentiment as
select * from (values
    ('c2-0', 'c2', 'synthetic', 'acme', 0, 'neutral', 0.0),
    ('c3-0', 'c3', 'twcs', 'globex', 0, 'negative', -0.4),
    ('c3-2', 'c3', 'twcs', 'globex', 2, 'positive', 0.8)
) as t(turn_id, conversation_id, source, company, turn_index, sentiment_label,
       sentiment_score);

create or replace table ml_models as
select * from (values
    ('b77-v1', 'banking77', 'tfidf_linear', null::varchar, '/m/b77-v1',
     timestamptz '2026-01-01 00:00:00+00', true, 100, 0.9, '{}'),
    ('bitext-v1', 'bitext', 'tfidf_linear', null, '/m/bitext-v1',
     timestamptz '2026-01-01 00:00:00+00', true, 100, 0.8, '{}')
) as t(model_version, label_set, model_type, base_model, path, created_at, is_active,
       train_rows, val_accuracy, card_json);

create or replace table ml_predictions as
select * from (values
    ('c2-0', 'b77-v1', 'banking77', 'request_refund', 0.8, ['request_refund'], [0.8],
     timestamptz '2026-01-03 00:00:00+00'),
    ('c3-0', 'bitext-v1', 'bitext', 'recover_password', 0.6, ['recover_password'], [0.6],
     timestamptz '2026-01-03 00:00:00+00')
) as t(turn_id, model_version, label_set, label, confidence, top_labels, top_scores,
       predicted_at);

create or replace table ml_scoring_inputs as
select * from (values
    ('c2-0', 'synthetic', 'banking77', 'I want a refund'),
    ('c3-0', 'twcs', 'bitext', 'forgot my password')
) as t(turn_id, source, label_set, text);

-- The marts the API reads its intent rules from (fct_conversation_intents,
-- mart_turn_predictions), as dbt builds them from the tables above.
create or replace table mart_turn_predictions as
select * from (values
    ('c2-0', 'c2', 'synthetic', 0, date '2026-01-02', 'banking77', 'I want a refund', 'b77-v1',
     'request_refund', 0.8::double),
    ('c3-0', 'c3', 'twcs', 0, date '2026-01-02', 'bitext', 'forgot my password', 'bitext-v1',
     'recover_password', 0.6)
) as t(turn_id, conversation_id, source, turn_index, activity_date, label_set, text,
       model_version, label, confidence);

create or replace table fct_conversation_intents as
select
    c.conversation_id, c.source, c.company, c.service, c.started_at,
    f.turn_id as first_customer_turn_id,
    coalesce(c.intent_label_set, p.label_set) as label_set,
    coalesce(c.gold_intent, p.label, 'unknown') as intent,
    case when c.gold_intent is not null then 'gold'
         when p.label is not null then 'predicted' else 'none' end as intent_origin,
    case when c.gold_intent is null then p.confidence end as confidence
from fct_conversations as c
left join (
    select conversation_id, turn_id from fct_turns where speaker = 'customer'
    qualify row_number() over (partition by conversation_id order by turn_index) = 1
) as f using (conversation_id)
left join mart_turn_predictions as p on p.turn_id = f.turn_id;

create or replace table ml_model_metrics as
select * from (values
    ('b77-v1', 'banking77', 'test', 'accuracy', 0.91, timestamptz '2026-01-01 00:00:00+00')
) as t(model_version, label_set, split, metric, value, evaluated_at);
"""


def build_fixture_warehouse(settings: Settings) -> Path:
    """Write the fixture tables to the working warehouse and publish a snapshot."""
    with writer(settings) as conn:
        conn.execute(FIXTURE_SQL)
    return publish(settings)
