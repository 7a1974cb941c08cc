import time

from api_fakes import API_KEY, FakeRegistry, auth, with_api
from litestar.testing import TestClient


def test_list_models_marks_active_and_loaded(client: TestClient) -> None:
    models = {m["model_version"]: m for m in client.get("/v1/models").json()}
    assert set(models) == {"b77-v1", "b77-v2", "bitext-v1"}
    assert models["b77-v1"]["is_active"] and models["b77-v1"]["loaded"]
    assert not models["b77-v2"]["is_active"] and not models["b77-v2"]["loaded"]


def test_describe_model_has_card_and_snapshot_metrics(client: TestClient) -> None:
    body = client.get("/v1/models/b77-v1").json()
    assert body["model"]["label_set"] == "banking77"
    assert body["card"] == {"notes": "fake"}
    assert body["metrics"] == [{"split": "test", "metric": "accuracy", "value": 0.91}]


def test_unknown_model_version_is_404(client: TestClient) -> None:
    assert client.get("/v1/models/nope-v9").status_code == 404
    response = client.post("/v1/models/nope-v9/activate", headers=auth())
    assert response.status_code == 404
    assert "nope-v9" in response.json()["detail"]


def test_activate_needs_the_api_key(client: TestClient, registry: FakeRegistry) -> None:
    missing = client.post("/v1/models/b77-v2/activate")
    assert missing.status_code == 401
    assert "X-API-Key" in missing.json()["detail"]
    assert client.post("/v1/models/b77-v2/activate", headers=auth("wrong")).status_code == 403
    assert registry.active["banking77"] == "b77-v1"


def test_reads_accept_no_key_but_reject_a_wrong_one(client: TestClient) -> None:
    assert client.get("/v1/models").status_code == 200
    assert client.get("/v1/models", headers=auth()).status_code == 200
    assert client.get("/v1/models", headers=auth("wrong")).status_code == 403


def test_write_routes_refuse_everyone_when_no_key_is_configured(
    make_app, settings, published
) -> None:
    with TestClient(make_app(with_api(settings, api_key=""))) as client:
        response = client.post("/v1/models/b77-v2/activate", headers=auth(API_KEY))
    assert response.status_code == 403
    assert "no API key is configured" in response.json()["detail"]


def test_activation_swaps_the_served_model(client: TestClient, registry: FakeRegistry) -> None:
    response = client.post("/v1/models/b77-v2/activate", headers=auth())
    assert response.status_code == 200
    assert response.json() == {
        "model_version": "b77-v2",
        "label_set": "banking77",
        "previous_version": "b77-v1",
    }
    assert registry.active["banking77"] == "b77-v2"
    assert client.post("/v1/predict", json={"text": "card"}).json()["model_version"] == "b77-v2"


def test_activation_does_not_drop_in_flight_requests(
    client: TestClient, registry: FakeRegistry
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # Re-activating v1 while predictors load slowly puts a slow v1 in service.
    registry.delay = 0.6
    client.post("/v1/models/b77-v1/activate", headers=auth())
    registry.delay = 0.0
    texts = ["card"] * 40  # large enough to be scored on a worker thread

    def swap_while_running():
        time.sleep(0.2)
        started = time.monotonic()
        response = client.post("/v1/models/b77-v2/activate", headers=auth())
        return response, started, time.monotonic()

    with ThreadPoolExecutor(max_workers=2) as pool:
        began = time.monotonic()
        batch = pool.submit(client.post, "/v1/predict/batch", json={"texts": texts})
        swap = pool.submit(swap_while_running)
        in_flight = batch.result()
        finished = time.monotonic()
        swapped, swap_started, swap_done = swap.result()
    after = client.post("/v1/predict", json={"text": "card"})
    # The swap happened entirely while the batch was still being scored.
    assert swap_started - began < swap_done - began < finished - began
    assert swapped.status_code == 200
    assert in_flight.status_code == 200
    assert in_flight.json()["model_version"] == "b77-v1"
    assert len(in_flight.json()["predictions"]) == 40
    assert after.json()["model_version"] == "b77-v2"
