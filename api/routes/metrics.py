"""GET /v1/metrics/*: conversation analytics with filters and pagination (cached)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from anyio import to_thread
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from supportlens.api.errors import error_responses
from supportlens.api.schemas import Page
from supportlens.api.services import analytics
from supportlens.api.services.warehouse import WarehouseReader

MAX_PAGE_SIZE = 500

Query = Callable[[WarehouseReader, analytics.Filters, analytics.Paging], Page]


async def run_metric(
    warehouse: WarehouseReader,
    query: Query,
    date_from: date | None,
    date_to: date | None,
    source: str | None,
    company: str | None,
    limit: int,
    offset: int,
) -> Page:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationException(f"date_from ({date_from}) is after date_to ({date_to})")
    filters = analytics.Filters(date_from, date_to, source, company)
    paging = analytics.Paging(limit=limit, offset=offset)
    return await to_thread.run_sync(query, warehouse, filters, paging)


DateFrom = Annotated[date | None, Parameter(description="first day (inclusive), YYYY-MM-DD")]
DateTo = Annotated[date | None, Parameter(description="last day (inclusive), YYYY-MM-DD")]
Source = Annotated[
    str | None, Parameter(min_length=1, max_length=100, description="e.g. twcs, synthetic")
]
Company = Annotated[str | None, Parameter(min_length=1, max_length=200)]
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE_SIZE, description="page size")]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, description="rows to skip")]


def metric_route(path: str, summary: str, query: Query, name: str) -> HTTPRouteHandler:
    """One cached GET route per analytics query; all share the same filters and paging."""

    @get(
        path,
        summary=summary,
        cache=True,
        tags=["analytics"],
        name=name,
        operation_id=name,
        responses=error_responses(403, 429, 503),
    )
    async def handler(
        warehouse: NamedDependency[WarehouseReader],
        date_from: DateFrom = None,
        date_to: DateTo = None,
        source: Source = None,
        company: Company = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page:
        return await run_metric(
            warehouse, query, date_from, date_to, source, company, limit, offset
        )

    return handler


intents = metric_route(
    "/metrics/intents", "Conversations per intent", analytics.intents, "metrics_intents"
)
outcomes = metric_route(
    "/metrics/outcomes", "Conversations per outcome", analytics.outcomes, "metrics_outcomes"
)
response_times = metric_route(
    "/metrics/response-times",
    "First-response times per day",
    analytics.response_times,
    "metrics_response_times",
)
sentiment = metric_route(
    "/metrics/sentiment",
    "Customer turns per sentiment",
    analytics.sentiment,
    "metrics_sentiment",
)
