from pathlib import Path

from api_fakes import with_api
from litestar.testing import TestClient

from supportlens.config import Settings
from supportlens.warehouse import publish, writer

ANALYZE = {
    "turns": [
        {
            "speaker": "customer",
            "text": "My card is still missing",
            "sent_at": "2026-01-01T10:00:00Z",
        },
        {"speaker": "agent", "text": "Let me check", "sent_at": "2026-01-01T10:02:30Z"},
        {"speaker": "customer", "text": "great, thanks", "sent_at": "2026-01-01T10:05:00Z"},
    ]
}


def test_conversation_has_turns_predictions_sentiment_and_outcome(client: TestClient) -> None:
    body = client.get("/v1/conversations/c2").json()
    assert body["outcome"] == "failed"
    assert body["intent"] == "request_refund"  # no gold intent: the first turn's prediction
    assert [t["turn_index"] for t in body["turns"]] == [0, 1]
    first = body["turns"][0]
    assert first["predicted_intent"] == "request_refund"
    assert first["intent_confidence"] == 0.8
    assert first["sentiment"] == "neutral"  # the marts' VADER score wins over gold
    gold = client.get("/v1/conversations/c1").json()
    assert gold["intent"] == "card_arrival"
    assert gold["turns"][0]["sentiment"] == "negative"  # no score: the gold label


def test_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.get("/v1/conversations/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_analyze_scores_customer_turns_and_response_time(client: TestClient) -> None:
    response = client.post("/v1/conversations/analyze", json=ANALYZE)
    assert response.status_code == 200
    body = response.json()
    assert body["intent"] == "card_arrival"
    assert body["model_version"] == "b77-v1"
    assert body["first_response_seconds"] == 150.0
    turns = body["turns"]
    assert [t["sentiment"] for t in turns] == ["negative", "neutral", "positive"]
    assert turns[1]["predicted_intent"] is None  # agents' turns are not classified
    assert turns[1]["response_seconds"] == 150.0
    assert body["sentiment"] == "neutral"  # mean of the customer's -0.6 and +0.6


def test_analyze_rejects_bad_turns(make_app, settings, published) -> None:
    with TestClient(make_app(with_api(settings, max_turns=2))) as client:
        assert client.post("/v1/conversations/analyze", json={"turns": []}).status_code == 400
        bad_speaker = {"turns": [{"speaker": "bot", "text": "hi"}]}
        assert client.post("/v1/conversations/analyze", json=bad_speaker).status_code == 400
        blank = {"turns": [{"speaker": "customer", "text": " "}]}
        assert client.post("/v1/conversations/analyze", json=blank).status_code == 400
        too_many = client.post("/v1/conversations/analyze", json=ANALYZE)
        assert too_many.status_code == 413


def test_intents_count_gold_and_predicted(client: TestClient) -> None:
    page = client.get("/v1/metrics/intents").json()
    got = {(i["intent"], i["intent_origin"]): i["conversations"] for i in page["items"]}
    assert got == {
        ("card_arrival", "gold"): 1,
        ("request_refund", "predicted"): 1,
        ("recover_password", "predicted"): 1,
    }
    assert page["total"] == 3 and page["next_offset"] is None


def test_filters_narrow_the_result(client: TestClient) -> None:
    by_source = client.get("/v1/metrics/outcomes", params={"source": "twcs"}).json()
    assert [(i["outcome"], i["conversations"]) for i in by_source["items"]] == [("escalated", 1)]
    by_company = client.get("/v1/metrics/outcomes", params={"company": "acme"}).json()
    assert {i["outcome"] for i in by_company["items"]} == {"resolved", "failed"}
    one_day = client.get(
        "/v1/metrics/response-times", params={"date_from": "2026-01-02", "date_to": "2026-01-02"}
    ).json()
    assert [(i["day"], i["conversations"]) for i in one_day["items"]] == [("2026-01-02", 2)]
    assert one_day["items"][0]["p50_first_response_s"] == 360.0
    sentiment = client.get("/v1/metrics/sentiment", params={"source": "synthetic"}).json()
    assert sentiment["items"] == [
        {"sentiment": "negative", "turns": 1, "share": 0.5},
        {"sentiment": "neutral", "turns": 1, "share": 0.5},
    ]
    twcs = client.get("/v1/metrics/sentiment", params={"company": "globex"}).json()
    assert {i["sentiment"]: i["turns"] for i in twcs["items"]} == {"negative": 1, "positive": 1}


def test_pagination_walks_every_row_once(client: TestClient) -> None:
    seen = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/v1/metrics/outcomes", params={"limit": 2, "offset": offset}).json()
        assert page["total"] == 3
        seen += [i["outcome"] for i in page["items"]]
        offset = page["next_offset"]
    assert sorted(seen) == ["escalated", "failed", "resolved"]
    past_end = client.get("/v1/metrics/outcomes", params={"offset": 50}).json()
    assert past_end["items"] == [] and past_end["total"] == 3


def test_bad_filters_are_400(client: TestClient) -> None:
    for params in [
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"date_from": "yesterday"},
        {"limit": 0},
        {"limit": 10_000},
        {"offset": -1},
    ]:
        assert client.get("/v1/metrics/intents", params=params).status_code == 400, params


def test_filter_values_are_parameters_not_sql(client: TestClient) -> None:
    injection = "x' or '1'='1"
    page = client.get("/v1/metrics/outcomes", params={"company": injection}).json()
    assert page["items"] == [] and page["total"] == 0


def test_reads_are_cached_until_a_new_snapshot_is_published(
    client: TestClient, settings: Settings
) -> None:
    before = client.get("/v1/metrics/outcomes").json()
    with writer(settings) as conn:
        conn.execute("update fct_conversations set outcome = 'resolved'")
    # Not yet published: the cached page (and the old snapshot) still answer.
    assert client.get("/v1/metrics/outcomes").json() == before
    publish(settings)
    after = client.get("/v1/metrics/outcomes").json()
    assert after["items"] == [{"outcome": "resolved", "conversations": 3, "share": 1.0}]
    assert after["snapshot"] != before["snapshot"]


def test_reads_before_any_publish_are_503_naming_the_command(make_app, settings: Settings) -> None:
    assert not Path(settings.paths.published).exists()
    with TestClient(make_app()) as client:
        response = client.get("/v1/metrics/intents")
        assert response.status_code == 503
        assert "supportlens run" in response.json()["detail"]
        assert client.get("/v1/conversations/c1").status_code == 503


def test_analyze_with_the_real_sentiment_scorer(make_app, published) -> None:
    from supportlens.api.services.sentiment import VaderSentiment

    with TestClient(make_app(sentiment=VaderSentiment())) as client:
        turns = [
            {"speaker": "customer", "text": "This is terrible, I hate waiting"},
            {"speaker": "agent", "text": "Sorry about that"},
            {"speaker": "customer", "text": "Thank you so much, that is great!"},
        ]
        body = client.post("/v1/conversations/analyze", json={"turns": turns}).json()
    assert [t["sentiment"] for t in body["turns"]][::2] == ["negative", "positive"]
    assert body["first_response_seconds"] is None  # no timestamps posted
