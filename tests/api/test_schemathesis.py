"""Property-based requests from the OpenAPI schema: no input may cause a 5xx."""

from collections import Counter

import pytest
import schemathesis
from api_fakes import API_KEY, with_api
from hypothesis import HealthCheck, given, settings

MAX_EXAMPLES = 12


@pytest.fixture
def api_schema(make_app, settings, published, tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "baseline.yaml").write_text("model_type: tfidf_linear\n")
    unlimited = with_api(
        settings,
        rate_limit_predict="off",
        rate_limit_reads="off",
        rate_limit_admin="off",
        train_config=str(configs / "baseline.yaml"),
    )
    return schemathesis.openapi.from_asgi("/schema/openapi.json", make_app(unlimited))


def test_no_server_errors(api_schema) -> None:
    # schemathesis' pytest fixture loader does not run on pytest 9: drive Hypothesis here.
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 16

    for operation in operations:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:
            # With the key, write routes run for real (the fake CLI stands in for training).
            response = case.call(headers={"X-API-Key": API_KEY})
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        check()
    assert not failures, failures
    # The generated requests reached the handlers, not only the validators.
    assert statuses[200] > len(operations), statuses
    assert sum(statuses.values()) > 3 * len(operations)
