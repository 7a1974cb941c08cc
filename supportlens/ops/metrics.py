"""Operational gauges for the API's `/metrics`: process, snapshot, models, last runs.

A Prometheus *collector* computes its values when scraped, so nothing here runs between
scrapes: process CPU and memory come from `getrusage` and `/proc`, the snapshot age from
the published file's modification time, the active model versions from the API's model
hub, and the last run of each command from the ops file (opened read-only for the
scrape; when a writer holds it at that moment, the run gauges are left out of that one
scrape rather than failing it).

One collector per process is registered with prometheus_client's default registry; the
newest app binds its settings to it (tests build many apps in one process). With several
uvicorn workers Prometheus aggregates through a shared folder that only holds metric
files, so these scrape-time gauges are available with one worker (the default).
"""

from __future__ import annotations

import logging
import os
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from supportlens.config import Settings
from supportlens.ops.store import OpsStore

log = logging.getLogger(__name__)

PREFIX = "supportlens"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class _Binding:
    settings: Settings
    active_versions: Callable[[], dict[str, str]]


def _rss_bytes() -> int | None:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * PAGE_SIZE


class OpsCollector(Collector):
    def __init__(self) -> None:
        self._binding: _Binding | None = None

    def bind(self, settings: Settings, active_versions: Callable[[], dict[str, str]]) -> None:
        self._binding = _Binding(settings, active_versions)

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = CounterMetricFamily(
            f"{PREFIX}_process_cpu_seconds", "CPU seconds (user + system) of this API process"
        )
        cpu.add_metric([], usage.ru_utime + usage.ru_stime)
        yield cpu
        rss = _rss_bytes()
        if rss is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_process_resident_memory_bytes", "Resident memory now", value=rss
            )
        yield GaugeMetricFamily(
            f"{PREFIX}_process_peak_resident_memory_bytes",
            "Peak resident memory since the process started",
            value=usage.ru_maxrss * 1024,
        )
        binding = self._binding
        if binding is None:
            return
        yield from self._snapshot(binding.settings)
        yield from self._models(binding.active_versions)
        yield from self._runs(binding.settings)

    def _snapshot(self, settings: Settings) -> Iterator[GaugeMetricFamily]:
        try:
            published = settings.paths.published.resolve(strict=True)
            age = time.time() - published.stat().st_mtime
        except OSError:
            return
        yield GaugeMetricFamily(
            f"{PREFIX}_snapshot_age_seconds", "Seconds since the published snapshot was written",
            value=age,
        )  # fmt: skip

    def _models(self, active_versions: Callable[[], dict[str, str]]) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            f"{PREFIX}_active_model_info",
            "Model version serving each label set (value 1)",
            labels=["label_set", "model_version"],
        )
        for label_set, version in sorted(active_versions().items()):
            family.add_metric([label_set, version], 1)
        yield family

    def _runs(self, settings: Settings) -> Iterator[GaugeMetricFamily]:
        path = settings.paths.ops_db
        if path is None or not path.exists():
            return
        try:
            with OpsStore(path, lock_wait_seconds=0.2).read() as conn:
                rows = conn.execute(
                    "select command, status, epoch(ended_at) - epoch(started_at), "
                    "epoch(ended_at) from ops_runs where status <> 'running' "
                    "qualify row_number() over (partition by command order by started_at desc) = 1 "
                    "order by command"
                ).fetchall()
        except Exception as exc:  # a writer holds the file: skip the run gauges this scrape
            log.debug("run gauges skipped", extra={"reason": str(exc)})
            return
        success = GaugeMetricFamily(
            f"{PREFIX}_last_run_success",
            "1 when the latest finished run of a command succeeded, else 0",
            labels=["command", "status"],
        )
        duration = GaugeMetricFamily(
            f"{PREFIX}_last_run_duration_seconds",
            "Wall seconds of the latest finished run of a command",
            labels=["command"],
        )
        finished = GaugeMetricFamily(
            f"{PREFIX}_last_run_end_timestamp_seconds",
            "When the latest finished run of a command ended (Unix time)",
            labels=["command"],
        )
        for command, status, seconds, ended in rows:
            success.add_metric([command, status], 1.0 if status == "succeeded" else 0.0)
            if seconds is not None:
                duration.add_metric([command], seconds)
            if ended is not None:
                finished.add_metric([command], ended)
        yield success
        yield duration
        yield finished


_COLLECTOR = OpsCollector()
_REGISTERED = False


def register(settings: Settings, active_versions: Callable[[], dict[str, str]]) -> OpsCollector:
    """Bind the process's collector to this app and register it once."""
    global _REGISTERED
    _COLLECTOR.bind(settings, active_versions)
    if not _REGISTERED:
        REGISTRY.register(_COLLECTOR)
        _REGISTERED = True
    return _COLLECTOR
