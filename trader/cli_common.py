"""What every ``python -m trader`` command shares: the console, one-line failures, logging, the
journal and the ``--stations`` list.

Exit codes: 1 = live trading refused (consent), 2 = bad input (export, date, credentials),
3 = journal unusable, 4 = cannot reach IEM/Kalshi.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler

from adapters.kalshi.credentials import resolve_signer
from adapters.kalshi.signing import KalshiConfigError, KalshiSigner
from domain.stations import UnknownStationError, station_by_icao
from trader.consent import ConsentError, LiveConsent, require_live_consent
from trader.journal import Journal, JournalError, default_journal_path

console = Console(width=None if sys.stdout.isatty() else 200)


class Env(StrEnum):
    """The Kalshi environment of a live run."""

    DEMO = "demo"
    PROD = "prod"


JournalOption = Annotated[
    Path | None, typer.Option("--journal", help="Journal file (default warehouse/trader/...).")
]


def fail(message: str, code: int) -> NoReturn:
    """One red line and the exit code (never a traceback for an expected failure)."""
    console.print(f"[bold red]{message}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def setup_logging(verbose: bool) -> None:
    """Log through the console: debug with ``--verbose``, else warnings only."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )


def open_journal(path: Path | None, default: Path | None = None) -> Journal:
    """The journal at ``path`` (else ``default``, else the paper journal), or exit 3."""
    try:
        return Journal(path or default or default_journal_path())
    except JournalError as exc:
        fail(str(exc), 3)


def parse_stations(raw: str | None) -> tuple[str, ...] | None:
    """``--stations KNYC,KMDW`` as registry ICAO ids (None when not given), or exit 2."""
    if not raw:
        return None
    try:
        return tuple(station_by_icao(code.strip()).icao for code in raw.split(",") if code.strip())
    except UnknownStationError as exc:
        fail(str(exc), 2)


def live_consent(env: Env, base_url: str | None, arming_file: Path | None) -> LiveConsent:
    """The operator's consent to live orders (``trader.consent``), or one line and exit 1."""
    try:
        return require_live_consent(
            env.value,
            base_url=base_url,
            arming_file=arming_file,
            today=datetime.now(UTC).date(),
            environ=os.environ,
            interactive=sys.stdin.isatty(),
            ask=input,
        )
    except ConsentError as exc:
        fail(str(exc), 1)
    except EOFError:
        fail("live trading not confirmed: no phrase typed", 1)


def live_journal_path(env: Env) -> Path:
    """The live journal of an environment (paper and live never share a journal)."""
    return default_journal_path().parent / f"live-{env.value}.sqlite"


def book_signer() -> KalshiSigner:
    """The key that signs order-book reads (paper needs one too), or one line and exit 2."""
    try:
        signer = resolve_signer()
    except KalshiConfigError as exc:
        fail(f"Kalshi credentials: {exc}", 2)
    if signer is None:
        fail("no Kalshi key configured: order books need one (see .dlt/example.secrets.toml)", 2)
    return signer
