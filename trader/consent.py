"""Live trading's consent: what ``python -m trader --live`` needs before a real order can leave.

All of: the ``--live`` flag (the caller), an environment (``demo`` by default, or ``prod``), a
key id and a private key file from the environment (``KALSHI_API_KEY_ID``,
``KALSHI_PRIVATE_KEY_PATH``; never logged, never in an error), a base URL that matches the
environment, and either the exact phrase typed on a terminal or an arming file for an
unattended service whose content is that same phrase: ``live <env> <YYYY-MM-DD>``, the UTC date
of today (an arming file from yesterday, or for the other environment, is refused).

Every refusal is a ``ConsentError`` whose message is one line naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from adapters.kalshi import settings
from adapters.kalshi.signing import KalshiConfigError, KalshiSigner

ENVIRONMENTS: Mapping[str, str] = {
    "demo": settings.DEMO_BASE_URL,
    "prod": settings.PROD_BASE_URL,
}
# kalshi.md, "Hosts": production lives under kalshi.com, the demo exchange under kalshi.co.
_PROD_DOMAIN, _DEMO_DOMAIN = "kalshi.com", "kalshi.co"
ARMING_FILE_MAX_BYTES = 200


class ConsentError(RuntimeError):
    """Live trading may not start; the message says why in one line (no secret in it)."""


@dataclass(frozen=True, repr=False)
class LiveConsent:
    """What the operator consented to.

    Attributes:
        env: ``demo`` or ``prod``.
        base_url: the REST base orders go to.
        signer: signs the requests (its repr hides the key id and the key).
        how: ``typed`` or ``arming file``.
    """

    env: str
    base_url: str
    signer: KalshiSigner
    how: str

    def __repr__(self) -> str:
        return f"LiveConsent(env={self.env!r}, base_url={self.base_url!r}, how={self.how!r})"


def phrase(env: str, day: date) -> str:
    """The confirmation of live trading on ``env`` on ``day`` (typed, or an arming file's text)."""
    return f"live {env} {day.isoformat()}"


def live_base_url(env: str, override: str | None, environ: Mapping[str, str]) -> str:
    """The REST base of a live run: ``--base-url``, else ``KALSHI_BASE_URL``, else the env's.

    Raises:
        ConsentError: an unknown environment, or a base URL on the other environment's host.
    """
    if env not in ENVIRONMENTS:
        raise ConsentError(f"--env must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    url = (override or environ.get(settings.BASE_URL_ENV) or ENVIRONMENTS[env]).rstrip("/")
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    if env == "demo" and host.endswith(_PROD_DOMAIN):
        raise ConsentError(f"--env demo but the base URL {url} is production")
    if env == "prod" and host.endswith(_DEMO_DOMAIN):
        raise ConsentError(f"--env prod but the base URL {url} is the demo exchange")
    return url


def live_signer(environ: Mapping[str, str]) -> KalshiSigner:
    """The signer from ``KALSHI_API_KEY_ID`` and ``KALSHI_PRIVATE_KEY_PATH`` (environment only:
    live trading never falls back to a secrets file someone else left in the directory).

    Raises:
        ConsentError: a variable missing, or a key file that is not a readable private key.
    """
    key_id = environ.get(settings.API_KEY_ID_ENV, "").strip()
    key_path = environ.get(settings.PRIVATE_KEY_PATH_ENV, "").strip()
    if not key_id:
        raise ConsentError(f"live trading needs {settings.API_KEY_ID_ENV} in the environment")
    if not key_path:
        raise ConsentError(f"live trading needs {settings.PRIVATE_KEY_PATH_ENV} in the environment")
    try:
        return KalshiSigner.from_path(key_id, key_path)
    except (KalshiConfigError, OSError, ValueError):
        # The signer's own message may quote the path; the path is the operator's to check.
        raise ConsentError(
            f"{settings.PRIVATE_KEY_PATH_ENV} does not name a readable PEM private key"
        ) from None


def check_arming_file(path: Path, env: str, today: date) -> None:
    """Accept an arming file only when its text is exactly ``phrase(env, today)``.

    Raises:
        ConsentError: unreadable, for another environment, or armed on another day.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(ARMING_FILE_MAX_BYTES + 1)
    except OSError:
        raise ConsentError(f"arming file {path} cannot be read") from None
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    expected = phrase(env, today)
    if text == expected:
        return
    words = text.split(" ")
    if len(words) == 3 and words[0] == "live" and words[1] != env:
        raise ConsentError(f"arming file {path} arms {words[1]!r}, not {env!r}")
    if len(words) == 3 and words[0] == "live" and words[1] == env:
        raise ConsentError(
            f"arming file {path} is stale: armed for {words[2]}, today is {today.isoformat()}"
        )
    raise ConsentError(f"arming file {path} must contain exactly: {expected}")


def require_live_consent(
    env: str,
    *,
    base_url: str | None,
    arming_file: Path | None,
    today: date,
    environ: Mapping[str, str],
    interactive: bool,
    ask: Callable[[str], str],
) -> LiveConsent:
    """Check everything live trading needs, in the order an operator fixes them.

    Args:
        env: ``demo`` or ``prod``.
        base_url: ``--base-url`` (None: ``KALSHI_BASE_URL`` or the environment's host).
        arming_file: ``--arming-file`` (None: a typed confirmation is needed).
        today: the UTC date the phrase names.
        environ: the process environment.
        interactive: stdin is a terminal (a typed confirmation is possible).
        ask: shows a prompt and returns the line typed.

    Returns:
        The consent.

    Raises:
        ConsentError: one line saying what is missing.
    """
    url = live_base_url(env, base_url, environ)
    signer = live_signer(environ)
    if arming_file is not None:
        check_arming_file(arming_file, env, today)
        return LiveConsent(env, url, signer, "arming file")
    if not interactive:
        raise ConsentError(
            "live trading needs a typed confirmation on a terminal, or --arming-file PATH "
            f"containing: {phrase(env, today)}"
        )
    expected = phrase(env, today)
    typed = ask(f"LIVE orders on {env} ({url}). Type exactly '{expected}' to continue: ")
    if " ".join(typed.split()) != expected:
        raise ConsentError("live trading not confirmed: the phrase typed did not match")
    return LiveConsent(env, url, signer, "typed")
