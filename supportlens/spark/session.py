"""One way to get a SparkSession, configured as the `spark` dbt target is (profiles.yml).

Locally that is Spark in local mode inside this process; on a cluster `spark-submit`
(or Databricks) provides the master and resources and `SparkSession.builder` picks the
running session up, so the same code runs unchanged (docs/scale-out.md).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

#: Settings shared with the dbt target in profiles.yml: local[2], 2 shuffle partitions
#: (sample data: 200 default partitions would be 200 near-empty tasks), UTC session time.
DEFAULT_MASTER = "local[2]"
DEFAULT_SHUFFLE_PARTITIONS = "2"


class SparkUnavailableError(RuntimeError):
    """pyspark or Java is missing: say how to install them."""


def spark_dir() -> Path:
    """Folder of the local Spark warehouse and metastore (SUPPORTLENS_SPARK_DIR)."""
    return Path(os.environ.get("SUPPORTLENS_SPARK_DIR", "data/spark")).resolve()


def get_session(app_name: str = "supportlens", warehouse: bool = False) -> SparkSession:
    """A SparkSession; `warehouse=True` attaches the dbt target's metastore and tables."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - the dev install has pyspark
        raise SparkUnavailableError(
            "pyspark is not installed: `make install` (or pip install 'dbt-spark[session]')"
        ) from exc
    builder = (
        SparkSession.builder.appName(app_name)
        .master(os.environ.get("SUPPORTLENS_SPARK_MASTER", DEFAULT_MASTER))
        .config(
            "spark.sql.shuffle.partitions",
            os.environ.get("SUPPORTLENS_SPARK_SHUFFLE_PARTITIONS", DEFAULT_SHUFFLE_PARTITIONS),
        )
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    master = os.environ.get("SUPPORTLENS_SPARK_MASTER", DEFAULT_MASTER)
    if master.startswith("local"):
        # Local Python workers must run this interpreter (the venv with the ML code); on
        # a cluster the executors' Python is the cluster's to configure.
        # (pyspark's SparkContext reads the worker interpreter from PYSPARK_PYTHON.)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", sys.executable)
    if warehouse:
        folder = spark_dir()
        builder = (
            builder.enableHiveSupport()
            .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
            .config(
                "spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
            )
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={folder}")
        )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j raises a bare Exception when Java cannot start
        raise SparkUnavailableError(
            f"Spark could not start ({exc}); it needs Java 17: `make spark` installs "
            "openjdk-17-jre-headless"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    log.info("spark session", extra={"master": session.sparkContext.master})
    return session
