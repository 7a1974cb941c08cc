"""Operational gauges for the API's `/metrics`: process, snapshot, models, last runs.

One process (`supportlens serve`, one worker): a Prometheus *collector* computes every
value when scraped, so nothing runs between scrapes: process CPU and memory from
`getrusage` and `/proc`, the snapshot age from the published file's modification time,
the active model versions from the API's model hub, and the last run of each command
from the ops file (opened read-only for the scrape; when a writer holds it at that
moment, the run gauges are left out of that one scrape rather than failing it).

Several workers (`[api] workers` > 1): a scrape reaches one worker, and prometheus_client's
multiprocess mode (a folder of metric files that `serve` creates per run, named by
`PROMETHEUS_MULTIPROC_DIR`) answers only for values the workers wrote there; custom
collectors are not consulted. So each value is kept where it is true:

- The snapshot age and the last runs are the same files for every worker: whichever
  worker answers computes them at scrape time, as with one process.
- Process CPU, memory and the model versions belong to one process: every worker writes
  its own into the folder when it starts, every `REFRESH_SECONDS`, and right before it
  answers a scrape. CPU is a counter summed over the run's workers (a worker that died
  keeps counting, so the sum never goes down); memory and the model versions are
  `liveall` gauges with a `pid` label per worker (a worker may serve another version
  after an activation sent to it alone). A version a worker no longer serves stays at 0:
  multiprocess mode cannot remove a labelled value.
- Files of `live` gauges whose worker has died (uvicorn replaces it) are removed at the
  next scrape, so a dead worker's memory and models disappear with it.

One collector per process; the newest app binds its settings to it (tests build many
apps in one process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import resource
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from supportlens.config import Settings
from supportlens.ops.store import OpsStore
from supportlens.processes import process_alive

log = logging.getLogger(__name__)

PREFIX = "supportlens"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
#: prometheus_client's own variable: set (by `supportlens serve`) means multiprocess mode.
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: How stale a worker's process and model gauges may be when another worker answers.
REFRESH_SECONDS = 5.0
#: Files of `live*` gauges, named by the writing process: gauge_liveall_<pid>.db.
_LIVE_FILE = re.compile(r"^gauge_live[a-z]+_(?P<pid>\d+)\.db$")

CPU_HELP = "CPU seconds (user + system) of the API's processes"
RSS_HELP = "Resident memory now"
PEAK_RSS_HELP = "Peak resident memory since the process started"
MODEL_HELP = "Model version serving each label set (value 1)"


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
        cpu = CounterMetricFamily(f"{PREFIX}_process_cpu_seconds", CPU_HELP)
        cpu.add_metric([], usage.ru_utime + usage.ru_stime)
        yield cpu
        rss = _rss_bytes()
        if rss is not None:
            yield GaugeMetricFamily(f"{PREFIX}_process_resident_memory_bytes", RSS_HELP, value=rss)
        yield GaugeMetricFamily(
            f"{PREFIX}_process_peak_resident_memory_bytes",
            PEAK_RSS_HELP,
            value=usage.ru_maxrss * 1024,
        )
        binding = self._binding
        if binding is None:
            return
        yield from self._models(binding.active_versions)
        yield from self.collect_shared()

    @property
    def binding(self) -> _Binding | None:
        return self._binding

    def collect_shared(self) -> Iterator[GaugeMetricFamily]:
        """The gauges every worker computes alike from files: snapshot age and last runs."""
        binding = self._binding
        if binding is None:
            return
        yield from self._snapshot(binding.settings)
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
            f"{PREFIX}_active_model_info", MODEL_HELP, labels=["label_set", "model_version"]
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


class _SharedGauges(Collector):
    def __init__(self, owner: OpsCollector) -> None:
        self._owner = owner

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return self._owner.collect_shared()


class WorkerGauges:
    """One worker's process and model values, written to the multiprocess folder."""

    def __init__(self, owner: OpsCollector) -> None:
        self._owner = owner
        self._lock = threading.Lock()
        self._cpu_counted = 0.0
        self._served: set[tuple[str, str]] = set()
        # registry=None: in multiprocess mode the folder is the registry.
        self._cpu = Counter(f"{PREFIX}_process_cpu_seconds", CPU_HELP, registry=None)
        self._rss = Gauge(
            f"{PREFIX}_process_resident_memory_bytes",
            RSS_HELP,
            registry=None,
            multiprocess_mode="liveall",
        )
        self._peak = Gauge(
            f"{PREFIX}_process_peak_resident_memory_bytes",
            PEAK_RSS_HELP,
            registry=None,
            multiprocess_mode="liveall",
        )
        self._models = Gauge(
            f"{PREFIX}_active_model_info",
            MODEL_HELP,
            ["label_set", "model_version"],
            registry=None,
            multiprocess_mode="liveall",
        )
        self._thread: threading.Thread | None = None

    def refresh(self) -> None:
        with self._lock:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu = usage.ru_utime + usage.ru_stime
            if cpu > self._cpu_counted:
                self._cpu.inc(cpu - self._cpu_counted)
                self._cpu_counted = cpu
            rss = _rss_bytes()
            if rss is not None:
                self._rss.set(rss)
            self._peak.set(usage.ru_maxrss * 1024)
            binding = self._owner.binding
            if binding is None:
                return
            served = set(binding.active_versions().items())
            for label_set, version in self._served - served:
                self._models.labels(label_set, version).set(0)
            for label_set, version in served:
                self._models.labels(label_set, version).set(1)
            self._served |= served

    def start(self) -> None:
        """Write now, then every REFRESH_SECONDS while the process lives (once per process)."""
        self.refresh()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name="supportlens-metrics", daemon=True
            )
            self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(REFRESH_SECONDS)
            try:
                self.refresh()
            except Exception:  # a metrics hiccup must never end the refreshes
                log.warning("worker metrics not refreshed", exc_info=True)


def multiprocess_dir() -> str | None:
    """The shared metrics folder when the API runs several workers, else None."""
    return os.environ.get(MULTIPROC_DIR_ENV) or None


def forget_dead_workers(folder: str) -> list[int]:
    """Remove the `live` gauge files of workers that are gone (uvicorn replaced them)."""
    dead = set()
    for name in os.listdir(folder):
        match = _LIVE_FILE.match(name)
        if match and not process_alive(int(match["pid"])):
            dead.add(int(match["pid"]))
    for pid in sorted(dead):
        with contextlib.suppress(FileNotFoundError):  # another worker's scrape was first
            mark_process_dead(pid, folder)
    return sorted(dead)


_COLLECTOR = OpsCollector()
_REGISTERED = False
_WORKER: WorkerGauges | None = None


def register(settings: Settings, active_versions: Callable[[], dict[str, str]]) -> OpsCollector:
    """Bind the process's collector to this app; register it once, or start the worker's
    writes when several workers share a metrics folder."""
    global _REGISTERED, _WORKER
    _COLLECTOR.bind(settings, active_versions)
    if multiprocess_dir() is not None:
        if _WORKER is None:
            _WORKER = WorkerGauges(_COLLECTOR)
        _WORKER.start()
    elif not _REGISTERED:
        REGISTRY.register(_COLLECTOR)
        _REGISTERED = True
    return _COLLECTOR


def scrape_registry() -> CollectorRegistry:
    """What `/metrics` renders: the default registry, or with several workers the
    folder's aggregate plus the shared gauges, with this worker's values fresh."""
    folder = multiprocess_dir()
    if folder is None:
        return REGISTRY
    if _WORKER is not None:
        _WORKER.refresh()
    forget_dead_workers(folder)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, folder)
    registry.register(_SharedGauges(_COLLECTOR))
    return registry
