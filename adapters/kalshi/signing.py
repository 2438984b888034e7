"""Kalshi request signing (RSA-PSS SHA-256): the one signing code path for loaders and trader.

Secrets (the key id and the private key) are never logged, printed or put in a repr.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class KalshiConfigError(RuntimeError):
    """Credentials are missing or unreadable (the message never contains them)."""


class KalshiSigner:
    """Signs requests with RSA-PSS SHA-256 the way Kalshi expects.

    Message = ``<timestamp ms><METHOD><path without query>``; headers ``KALSHI-ACCESS-KEY``,
    ``KALSHI-ACCESS-TIMESTAMP``, ``KALSHI-ACCESS-SIGNATURE``.
    """

    __slots__ = ("_key_id", "_private_key")

    def __init__(self, key_id: str, private_key: rsa.RSAPrivateKey) -> None:
        """Wrap a key id and a loaded RSA private key.

        Args:
            key_id: the API key id.
            private_key: the RSA private key.
        """
        if not key_id:
            raise KalshiConfigError("Kalshi API key id is empty")
        self._key_id = key_id
        self._private_key = private_key

    def __repr__(self) -> str:
        return "KalshiSigner(key_id=***, private_key=***)"

    __str__ = __repr__

    @classmethod
    def from_pem(cls, key_id: str, pem: str | bytes) -> KalshiSigner:
        """Build a signer from PEM text.

        Args:
            key_id: the API key id.
            pem: the PEM-encoded RSA private key.

        Returns:
            The signer.
        """
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            # "from None": the loader's message may quote the key material.
            raise KalshiConfigError("Kalshi private key is not a readable PEM RSA key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KalshiConfigError("Kalshi private key is not an RSA key")
        return cls(key_id, key)

    @classmethod
    def from_path(cls, key_id: str, path: Path | str) -> KalshiSigner:
        """Build a signer from a PEM file.

        Args:
            key_id: the API key id.
            path: the PEM file.

        Returns:
            The signer.
        """
        try:
            pem = Path(path).read_bytes()
        except OSError as exc:
            raise KalshiConfigError(f"cannot read the Kalshi private key file {path}") from exc
        return cls.from_pem(key_id, pem)

    def sign(self, message: str) -> str:
        """Base64 RSA-PSS (SHA-256, MGF1 SHA-256, salt = digest length) signature of ``message``."""
        signature = self._private_key.sign(
            message.encode(),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
        return base64.b64encode(signature).decode()

    def headers(self, method: str, url_or_path: str, ts_ms: int | None = None) -> dict[str, str]:
        """The three auth headers for one request.

        Args:
            method: HTTP method (any case).
            url_or_path: full URL or path; the query string is dropped before signing.
            ts_ms: Unix milliseconds (default: now).

        Returns:
            The headers.
        """
        path = urlsplit(url_or_path).path
        stamp = str(ts_ms if ts_ms is not None else int(time.time() * 1000))
        return {
            "KALSHI-ACCESS-KEY": self._key_id,
            "KALSHI-ACCESS-TIMESTAMP": stamp,
            "KALSHI-ACCESS-SIGNATURE": self.sign(f"{stamp}{method.upper()}{path}"),
        }
