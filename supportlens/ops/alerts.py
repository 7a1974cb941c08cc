"""Alert evaluation and notification state.

The rules live in the warehouse (seeds/alert_rules.csv, evaluated by the dbt model
`mart_alerts`); this module only reads the result and decides whom to tell what, the
way Alertmanager does: a breach notifies once (`firing`), again every `repeat_minutes`
while it stays open (`repeat`), and once more when it clears (`resolved`). Which
breaches are open lives in `ops_alert_state` in the ops file; every notification
attempt goes to `ops_alert_events`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supportlens.config import Settings
from supportlens.ops.delivery import (
    SENT,
    Attempt,
    Notification,
    configured_channels,
    deliver,
    policy_from,
)
from supportlens.ops.store import OpsStore

log = logging.getLogger(__name__)

#: dbt selection that re-evaluates the rules: the run-history copies, the rules seed and
#: mart_alerts (all tagged `ops`, see models/marts/ops).
REFRESH_SELECTION = ["--select", "tag:ops", "alert_rules"]

FIRING, REPEAT, RESOLVED = "firing", "repeat", "resolved"


class AlertsUnavailableError(RuntimeError):
    """mart_alerts cannot be read (not built yet, or no warehouse)."""


@dataclass(frozen=True)
class Check:
    """One row of mart_alerts."""

    rule: str
    scope: str
    severity: str
    channels: tuple[str, ...]
    value: float | None
    baseline_value: float | None
    threshold: float | None
    is_breached: bool
    description: str


@dataclass(frozen=True)
class OpenAlert:
    rule: str
    scope: str
    opened_at: dt.datetime | None
    last_notified_at: dt.datetime | None


def read_checks(database: Path) -> list[Check]:
    """All rows of mart_alerts in one DuckDB file, opened read-only."""
    if not database.exists():
        raise AlertsUnavailableError(
            f"{database}: no warehouse yet; run `supportlens run` (or build and publish)"
        )
    try:
        conn = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise AlertsUnavailableError(f"{database}: cannot open: {exc}") from exc
    try:
        rows = conn.execute(
            "select rule, scope, severity, channels, value, baseline_value, threshold, "
            "is_breached, description from mart_alerts order by rule, scope"
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise AlertsUnavailableError(
            f"{database}: has no mart_alerts; run `supportlens build` first"
        ) from exc
    finally:
        conn.close()
    return [
        Check(
            rule=r[0],
            scope=r[1],
            severity=r[2],
            channels=tuple(c.strip() for c in (r[3] or "").split(";") if c.strip()),
            value=r[4],
            baseline_value=r[5],
            threshold=r[6],
            is_breached=bool(r[7]),
            description=r[8] or "",
        )
        for r in rows
    ]


def open_alerts(store: OpsStore) -> dict[tuple[str, str], OpenAlert]:
    if not store.exists():
        return {}
    with store.read() as conn:
        rows = conn.execute(
            "select rule, scope, opened_at, last_notified_at from ops_alert_state where is_open"
        ).fetchall()
    return {(r[0], r[1]): OpenAlert(*r) for r in rows}


def plan(
    checks: list[Check],
    state: dict[tuple[str, str], OpenAlert],
    now: dt.datetime,
    repeat_after: dt.timedelta,
) -> list[Notification]:
    """What to send now: new breaches, reminders for old ones, and cleared ones."""
    notifications: list[Notification] = []
    seen: set[tuple[str, str]] = set()
    by_rule: dict[str, Check] = {}
    for check in checks:
        key = (check.rule, check.scope)
        seen.add(key)
        by_rule.setdefault(check.rule, check)
        opened = state.get(key)
        if check.is_breached and opened is None:
            kind = FIRING
        elif check.is_breached and opened is not None:
            last = opened.last_notified_at
            if last is not None and now - last < repeat_after:
                continue
            kind = REPEAT
        elif opened is not None:
            kind = RESOLVED
        else:
            continue
        notifications.append(_notification(check, kind))
    # An open alert whose scope is no longer evaluated at all has cleared as well.
    for (rule, scope), _opened in sorted(state.items()):
        if (rule, scope) in seen:
            continue
        template = by_rule.get(rule)
        notifications.append(
            Notification(
                rule=rule,
                scope=scope,
                severity=template.severity if template else "warning",
                state=RESOLVED,
                value=None,
                threshold=template.threshold if template else None,
                description="no longer evaluated (no data for this scope)",
                channels=template.channels if template else ("log",),
            )
        )
    return notifications


def _notification(check: Check, kind: str) -> Notification:
    return Notification(
        rule=check.rule,
        scope=check.scope,
        severity=check.severity,
        state=kind,
        value=check.value,
        threshold=check.threshold,
        description=check.description,
        channels=check.channels,
    )


def record(
    store: OpsStore,
    run_id: str | None,
    notifications: list[Notification],
    attempts: list[Attempt],
    now: dt.datetime,
) -> None:
    """Write every attempt, then move each notified alert's state on.

    A notification counts as delivered when one channel took it, or when none of its
    channels is configured (nothing could ever take it; retrying would only repeat the
    same nothing). An undelivered new breach stays closed, so the next evaluation fires
    it again; an undelivered resolution stays open for the same reason.
    """
    tried: dict[Notification, list[Attempt]] = {n: [] for n in notifications}
    for attempt in attempts:
        tried[attempt.notification].append(attempt)
    with store.write() as conn:
        for attempt in attempts:
            n = attempt.notification
            conn.execute(
                "insert into ops_alert_events values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    attempt.at,
                    run_id,
                    n.rule,
                    n.scope,
                    n.severity,
                    n.value,
                    n.threshold,
                    n.state,
                    attempt.channel,
                    attempt.attempt,
                    attempt.status,
                    attempt.error,
                ],
            )
        for n, made in tried.items():
            delivered = not made or any(a.status == SENT for a in made)
            if not delivered:
                continue
            if n.state == RESOLVED:
                conn.execute(
                    "update ops_alert_state set is_open = false, last_notified_at = ?, "
                    "last_value = ? where rule = ? and scope = ?",
                    [now, n.value, n.rule, n.scope],
                )
            else:
                conn.execute(
                    "insert into ops_alert_state values (?, ?, true, ?, ?, ?) "
                    "on conflict (rule, scope) do update set is_open = true, "
                    "opened_at = case when ops_alert_state.is_open "
                    "then ops_alert_state.opened_at else excluded.opened_at end, "
                    "last_notified_at = excluded.last_notified_at, "
                    "last_value = excluded.last_value",
                    [n.rule, n.scope, now, now, n.value],
                )


@dataclass
class Outcome:
    checks: list[Check]
    notifications: list[Notification]
    attempts: list[Attempt]
    source: Path


def notify(
    settings: Settings,
    store: OpsStore,
    checks: list[Check],
    source: Path,
    run_id: str | None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Plan, deliver and record the notifications for one evaluation."""
    now = now or dt.datetime.now(dt.UTC)
    repeat_after = dt.timedelta(minutes=settings.alerts.repeat_minutes)
    notifications = plan(checks, open_alerts(store), now, repeat_after)
    channels = configured_channels(settings.alerts)
    attempts = deliver(notifications, channels, policy_from(settings.alerts))
    record(store, run_id, notifications, attempts, now)
    return Outcome(checks, notifications, attempts, source)
