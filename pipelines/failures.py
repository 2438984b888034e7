"""One line for a failure the user can act on, found anywhere in an exception's causes.

dlt wraps what goes wrong inside a source (``PipelineStepFailed`` around the real error, often
with a misleading "check your credentials ... internet connection may be down"); the CLI
prints the cause a person can do something about instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator

from adapters.circuit import HostUnreachableError
from adapters.retry import RequestError
from pipelines.lock import WarehouseBusyError
from pipelines.warehouse import LoadFailedError, WarehouseInUseError, duckdb_lock_holder


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what caused it, and so on (explicit ``from`` first, cycles cut)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def one_line_failure(exc: BaseException) -> str | None:
    """The message to show for a failed load, or None if ``exc`` is a bug (keep its traceback).

    In order: the warehouse held by another program (DuckDB's lock), a host that cannot be
    reached, a venue request that failed for good (after its retries), a busy warehouse lock,
    then a source's own ``LoadFailedError``.

    Args:
        exc: what a load raised.

    Returns:
        One line, or None.
    """
    chain = list(causes(exc))
    for cause in chain:
        holder = duckdb_lock_holder(cause)
        if holder is not None:
            return holder
    kinds = (
        HostUnreachableError,
        RequestError,
        WarehouseBusyError,
        WarehouseInUseError,
        LoadFailedError,
    )
    for kind in kinds:
        for cause in chain:
            if isinstance(cause, kind):
                return str(cause).splitlines()[0]
    return None
