"""`supportlens serve`: run the API with uvicorn.

One worker serves from one process with the model loaded once. With `--workers N`
uvicorn starts N processes, each building the app from the same settings (and loading
its own copy of the model); Prometheus then aggregates through a shared folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile

from litestar import Litestar

from supportlens.config import CONFIG_FILE_NAME, Settings, load_settings
from supportlens.logs import configure_logging

log = logging.getLogger(__name__)

PROMETHEUS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="address to bind (config: [api] host)")
    parser.add_argument("--port", type=int, default=None, help="port (config: [api] port)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (each loads the model)"
    )


def app_from_environment() -> Litestar:
    """Factory for uvicorn's worker processes: settings come from the environment."""
    from supportlens.api.app import create_app

    configure_logging(int(os.environ.get("SUPPORTLENS_SERVE_VERBOSITY", "0")))
    return create_app(load_settings())


def run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn
    from supportlens.api.app import create_app

    config = settings.api
    host = args.host or config.host
    port = args.port or config.port
    if args.workers < 1:
        print("supportlens serve: --workers must be at least 1")
        return 2
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
    if args.workers == 1:
        uvicorn.run(create_app(settings), **common)
        return 0
    # Several processes: each needs the settings file and a shared metrics folder.
    os.environ.update(settings.env_for_subprocesses())
    os.environ.setdefault("SUPPORTLENS_CONFIG", str(settings.project_root / CONFIG_FILE_NAME))
    level = logging.getLogger().getEffectiveLevel()
    os.environ["SUPPORTLENS_SERVE_VERBOSITY"] = (
        "-1" if level >= logging.WARNING else "1" if level <= logging.DEBUG else "0"
    )
    with tempfile.TemporaryDirectory(prefix="supportlens-prometheus-") as metrics_dir:
        os.environ.setdefault(PROMETHEUS_DIR_ENV, metrics_dir)
        uvicorn.run(
            "supportlens.api.serve:app_from_environment",
            factory=True,
            workers=args.workers,
            **common,
        )
    return 0
