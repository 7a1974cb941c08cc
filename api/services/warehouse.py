"""Warehouse reads: always the published read-only snapshot, never the working file.

`SnapshotWarehouse` wraps `supportlens.warehouse.SnapshotReader`, which re-opens when a
new snapshot is published, so reads never wait on (or fail because of) dbt or training
holding the working warehouse. Tests can pass any object with the same three methods.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from supportlens.api.errors import NOT_PUBLISHED
from supportlens.config import Settings
from supportlens.warehouse import SnapshotReader, WarehouseNotPublishedError

log = logging.getLogger(__name__)

Row = dict[str, Any]

UNPUBLISHED = "unpublished"


@runtime_checkable  # handlers receive it as a dependency, which Litestar type-checks
class WarehouseReader(Protocol):
    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run one parameterised query on the newest snapshot."""
        ...

    def snapshot_id(self) -> str:
        """Names the snapshot reads would see now (changes on every publish)."""
        ...

    def close(self) -> None: ...


class SnapshotWarehouse:
    def __init__(self, settings: Settings) -> None:
        self._published = settings.paths.published
        self._reader = SnapshotReader(settings)

    def snapshot_id(self) -> str:
        try:
            return self._published.resolve(strict=True).name
        except FileNotFoundError:
            return UNPUBLISHED

    def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        cursor = self._reader.cursor()
        try:
            cursor.execute(sql, list(params))
            columns = [d[0] for d in cursor.description or ()]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def close(self) -> None:
        self._reader.close()


def check_readable(warehouse: WarehouseReader) -> str:
    """'ok' or the reason reads would fail (for /ready)."""
    try:
        warehouse.fetch("select 1 as ok")
    except WarehouseNotPublishedError:
        return NOT_PUBLISHED
    except Exception as exc:  # readiness reports any failure rather than raising it
        log.warning("warehouse not readable", exc_info=exc)
        return f"{type(exc).__name__} (the server log has the details)"
    return "ok"
