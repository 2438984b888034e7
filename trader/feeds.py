"""Today's observations from IEM (``adapters.iem``) as ``running_extreme.Observation`` rows.

asos.py is asked once per report type (1, 3, 4) so each row's type, and hence its publication
delay, is known. A row is used on the same terms the loaders accept it: the one row rule
``domain.observations.observation_row`` (a known station, a valid UTC time, numbers that are
numbers, a METAR that parses and agrees with the row's station and time, some temperature).
Other rows are skipped and logged, never guessed at.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from adapters.iem import settings as iem_settings
from adapters.iem.client import AsosRequest, IemClient
from domain.observations import ObservationError, observation_row
from domain.running_extreme import Observation
from domain.stations import Station

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedRows:
    """Observations read from one asos.py body and the rows skipped (with why)."""

    observations: tuple[Observation, ...]
    skipped: tuple[str, ...]


def parse_asos_csv(text: str, report_type: int) -> ParsedRows:
    """Read an asos.py ``onlycomma`` body (``station,valid,tmpf,dwpf,metar``).

    Args:
        text: the body.
        report_type: the report type the request asked for.

    Returns:
        The usable observations and a reason per skipped row.
    """
    observations: list[Observation] = []
    skipped: list[str] = []
    # the loaders' rules (pipelines/iem/parsers.py): a body cut mid-line may end in "7" for "78.0"
    truncated = bool(text) and not text.endswith(("\n", "\r"))
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if truncated and len(lines) > 1:
        skipped.append(f"line {len(lines)}: truncated file: last line has no line end")
        lines = lines[:-1]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    for number, fields in enumerate(reader, start=2):
        width = len(reader.fieldnames or ())
        if None in fields or None in fields.values():
            skipped.append(f"line {number}: garbled row: header has {width} fields")
            continue
        try:
            row = observation_row(
                station=fields.get("station"),
                valid=fields.get("valid"),
                tmpf=fields.get("tmpf"),
                dwpf=fields.get("dwpf"),
                metar=fields.get("metar"),
            )
        except ObservationError as exc:
            skipped.append(f"line {number}: {exc}")
            continue
        observations.append(row.as_observation(report_type))
    return ParsedRows(tuple(observations), tuple(skipped))


class IemObservations:
    """The latest observations of a station through the shared IEM client.

    Args:
        client: an ``adapters.iem.client.IemClient``.
    """

    def __init__(self, client: IemClient) -> None:
        self.client = client

    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]:
        """Every usable report of ``station`` valid in ``[start, end)``, all report types.

        Raises:
            adapters.iem.client.IemRequestError: IEM failed after the client's retries (the
                caller's backoff breaker takes over).
        """
        out: list[Observation] = []
        for report_type in iem_settings.ASOS_REPORT_TYPES:
            request = AsosRequest(station, report_type, start, end)
            text, url = self.client.get_text(iem_settings.ASOS_PATH, request.params())
            parsed = parse_asos_csv(text, int(report_type))
            for reason in parsed.skipped:
                log.warning("IEM %s type %s: skipped %s", station.icao, report_type, reason)
            out.extend(parsed.observations)
        return out
