"""CSV rows of the Kalshi exports: the data lines of a document as dicts, their field values,
and the loop that turns each row into table rows or a reject naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from domain.bounds import BoundsError
from domain.brackets import BracketError
from domain.money import MoneyFormatError
from domain.stations import UnknownStationError
from domain.tickers import TickerError, parse_ticker
from pipelines.documents import RawDocument, csv_lines
from pipelines.kalshi.fields import ParseContext, ParseError, registered_series
from pipelines.kalshi.tables import Row

_NULLS = frozenset({"", "nan", "NaN", "NAN", "None", "null"})


def data_rows(doc: RawDocument) -> Iterator[tuple[int, str, dict[str, str] | None, str | None]]:
    """(line number, raw line, row dict, None) for every data line of a CSV document, or
    (line number, raw line, None, reason) for a line that is not a row of the header's shape.
    """
    header: list[str] | None = None
    for line in csv_lines(doc.text):
        if line.values is None:
            yield line.number, line.raw, None, line.error
        elif header is None:
            header = [name.strip().lstrip("\ufeff") for name in line.values]
        elif len(line.values) != len(header):
            reason = f"garbled row: {len(line.values)} fields, header has {len(header)}"
            yield line.number, line.raw, None, reason
        else:
            yield line.number, line.raw, dict(zip(header, line.values, strict=True)), None


def field_value(row: dict[str, str], name: str) -> str | None:
    """A field's stripped text; None when the column is absent or holds a null (``nan``...)."""
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return None if value in _NULLS else value


def _location(doc: RawDocument, line: int) -> str:
    return f"{doc.location}:{line}"


# What a bad CSV row raises; each becomes a reject naming the file and line.
ROW_ERRORS = (
    TickerError,
    BracketError,
    ParseError,
    MoneyFormatError,
    BoundsError,
    UnknownStationError,
    ArithmeticError,
)


def each_row(
    doc: RawDocument,
    ctx: ParseContext,
    source_name: str,
    parse: Callable[[dict[str, str], str], Iterator[Row]],
) -> Iterator[Row]:
    """The rows ``parse`` makes of each CSV row (given the row and its ``file:line``); a line
    that is not a row, a row that raises one of :data:`ROW_ERRORS`, or a row of a series the
    station registry does not hold (:func:`registered_series`) becomes a reject.
    A row's output rows are made in full before any is yielded: all of them or a reject."""
    for line, raw, row, error in data_rows(doc):
        where = _location(doc, line)
        if row is None:
            ctx.reject(source_name, error or "unreadable line", raw, where)
            continue
        try:
            made = list(parse(row, where))
            for table_row in made:
                if table_row.get("series_ticker") is not None:
                    registered_series(table_row["series_ticker"])
        except ROW_ERRORS as exc:
            ctx.reject(source_name, str(exc), raw, where)
            continue
        yield from made


@lru_cache(maxsize=65536)
def series_of(ticker: str) -> str:
    """The series of a market ticker (raises TickerError for a malformed one)."""
    # Exports repeat each ticker on many rows; a malformed one raises (never cached).
    return parse_ticker(ticker).series_ticker
