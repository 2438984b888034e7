"""Where the Kalshi credentials come from: explicit value, else environment, else secrets file.

The secrets file is dlt's ``.dlt/secrets.toml`` (table ``[sources.kalshi]``: ``api_key_id`` and
``private_key_path`` or ``private_key`` as PEM text), read as plain TOML so the trader needs no
dlt. Nothing here logs, raises or reprs a key id or key material; only where they came from.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from adapters.kalshi import settings
from adapters.kalshi.signing import KalshiConfigError, KalshiSigner

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class _Credentials:
    """One source's values (any may be missing)."""

    origin: str
    key_id: str | None = None
    private_key_path: str | None = None
    private_key: str | None = None

    @property
    def has_key(self) -> bool:
        return bool(self.private_key_path or self.private_key)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def read_secrets_file(path: Path) -> Mapping[str, object]:
    """The ``[sources.kalshi]`` table of a secrets TOML file ({} when the file is absent).

    Args:
        path: the TOML file.

    Returns:
        The table's keys and values.

    Raises:
        KalshiConfigError: the file exists but is not readable TOML (its content is not quoted).
    """
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        raise KalshiConfigError(f"cannot read {path} as TOML") from None
    table: object = document
    for name in settings.SECRETS_TABLE:
        table = table.get(name, {}) if isinstance(table, dict) else {}
    return table if isinstance(table, dict) else {}


def resolve_signer(
    key_id: str | None = None,
    private_key_path: str | Path | None = None,
    private_key: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    secrets_path: Path | None = None,
) -> KalshiSigner | None:
    """The signer from the first source that names a key id, and the first that holds a key.

    Sources in order: the explicit arguments; the environment (``KALSHI_API_KEY_ID``,
    ``KALSHI_PRIVATE_KEY_PATH``); the secrets file. The key id and the key are resolved
    separately, each from its first source; within one source PEM text wins over a path.

    Args:
        key_id: explicit key id.
        private_key_path: explicit PEM file.
        private_key: explicit PEM text.
        environ: the environment (default: ``os.environ``).
        secrets_path: the secrets file (default: ``.dlt/secrets.toml`` in the working directory).

    Returns:
        The signer, or None when no source names a key id (public endpoints only).

    Raises:
        KalshiConfigError: a key id without a key, or an unreadable key or secrets file.
    """
    env = os.environ if environ is None else environ
    explicit = _Credentials(
        "arguments",
        _text(key_id),
        str(private_key_path) if private_key_path else None,
        _text(private_key),
    )
    from_env = _Credentials(
        "environment",
        _text(env.get(settings.API_KEY_ID_ENV)),
        _text(env.get(settings.PRIVATE_KEY_PATH_ENV)),
    )
    sources = [explicit, from_env]
    if not (any(s.key_id for s in sources) and any(s.has_key for s in sources)):
        path = secrets_path if secrets_path is not None else Path.cwd() / settings.SECRETS_FILE
        table = read_secrets_file(path)
        sources.append(
            _Credentials(
                str(path),
                _text(table.get("api_key_id")),
                _text(table.get("private_key_path")),
                _text(table.get("private_key")),
            )
        )
    named = next((s for s in sources if s.key_id), None)
    if named is None or named.key_id is None:
        return None
    keyed = next((s for s in sources if s.has_key), None)
    if keyed is None:
        raise KalshiConfigError(f"Kalshi key id from {named.origin} but no private key anywhere")
    log.debug("Kalshi key id from %s, private key from %s", named.origin, keyed.origin)
    if keyed.private_key:
        return KalshiSigner.from_pem(named.key_id, keyed.private_key)
    assert keyed.private_key_path is not None
    return KalshiSigner.from_path(named.key_id, keyed.private_key_path)
