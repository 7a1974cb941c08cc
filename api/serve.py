"""`supportlens serve`: run the API with uvicorn.

One worker serves from one process with the model loaded once. With `[api] workers` (or
`--workers`) N > 1, uvicorn starts N processes, each building the app from the same
settings (and loading its own copy of the model). Prometheus then aggregates through a
folder of metric files (prometheus_client's multiprocess mode): `serve` makes a fresh one
for each run before uvicorn starts the workers, so they all inherit it, and removes it
when they have stopped (files of an earlier run would add its counts to this one's).
Background jobs are shared the same way: a fresh folder of job records, so GET
/v1/jobs/{id} answers in every worker, not only the one that started the job (their
exclusivity needs no folder: it is an OS file lock, see api/services/job_locks.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from litestar import Litestar

from supportlens.config import CONFIG_FILE_NAME, Settings, load_settings
from supportlens.logs import configure_logging

log = logging.getLogger(__name__)

PROMETHEUS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The job records folder `serve` makes for its workers (set only by `serve` itself).
JOBS_DIR_ENV = "SUPPORTLENS_SERVE_JOBS_DIR"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="address to bind (config: [api] host)")
    parser.add_argument("--port", type=int, default=None, help="port (config: [api] port)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes, each loading the model (config: [api] workers)",
    )


def app_from_environment() -> Litestar:
    """Factory for uvicorn's worker processes: settings come from the environment."""
    from supportlens.api.app import create_app

    configure_logging(int(os.environ.get("SUPPORTLENS_SERVE_VERBOSITY", "0")))
    records = os.environ.get(JOBS_DIR_ENV)
    return create_app(load_settings(), job_records=Path(records) if records else None)


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = settings.api
    host = args.host or config.host
    port = args.port or config.port
    workers = config.workers if args.workers is None else args.workers
    if workers < 1:
        print("supportlens serve: --workers must be at least 1")
        return 2
    inherited = os.environ.pop(PROMETHEUS_DIR_ENV, None)
    if inherited:
        # serve owns this folder: one worker needs none, several get a fresh one below.
        log.info("ignoring the inherited metrics folder", extra={"path": inherited})
    # Imported only now: prometheus_client picks its storage (memory or the folder's
    # files) from the environment when first imported.
    import uvicorn

    from supportlens.api.app import create_app

    print(f"SupportLens API on http://{host}:{port}  (docs: http://{host}:{port}/schema)")
    common = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_config": None,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: a local client
        # could then choose its own address (and rate-limit budget). Only listed proxies.
        "proxy_headers": bool(config.trusted_proxies),
        "forwarded_allow_ips": list(config.trusted_proxies) or None,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **common)
        return 0
    # Several processes: each needs the settings file and a shared metrics folder.
    os.environ.update(settings.env_for_subprocesses())
    os.environ.setdefault("SUPPORTLENS_CONFIG", str(settings.project_root / CONFIG_FILE_NAME))
    level = logging.getLogger().getEffectiveLevel()
    os.environ["SUPPORTLENS_SERVE_VERBOSITY"] = (
        "-1" if level >= logging.WARNING else "1" if level <= logging.DEBUG else "0"
    )
    with (
        tempfile.TemporaryDirectory(prefix="supportlens-prometheus-") as metrics_dir,
        tempfile.TemporaryDirectory(prefix="supportlens-jobs-") as jobs_dir,
    ):
        os.environ[PROMETHEUS_DIR_ENV] = metrics_dir
        os.environ[JOBS_DIR_ENV] = jobs_dir
        uvicorn.run(
            "supportlens.api.serve:app_from_environment",
            factory=True,
            workers=workers,
            **common,
        )
    return 0
