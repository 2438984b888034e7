"""dlt auth for Kalshi: the same :class:`~pipelines.kalshi.client.KalshiSigner` as the client.

Use it as ``client.auth`` of a dlt ``RESTClient``/``rest_api`` source; it runs once per HTTP
request, so every page gets a fresh timestamp and signature over the path without the query.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from requests import PreparedRequest

from pipelines.kalshi.client import KalshiConfigError, KalshiSigner, signer_from_config


@configspec
class KalshiAuth(AuthConfigBase):
    """Signs each request with ``KALSHI-ACCESS-KEY`` / ``-SIGNATURE`` / ``-TIMESTAMP``.

    Attributes:
        api_key_id: the key id (secret; env ``KALSHI_API_KEY_ID`` or dlt secrets).
        private_key: the PEM text (secret), or
        private_key_path: a PEM file path (env ``KALSHI_PRIVATE_KEY_PATH``).
    """

    api_key_id: TSecretStrValue = None
    private_key: TSecretStrValue = None
    private_key_path: str | None = None

    def __repr__(self) -> str:
        return "KalshiAuth(api_key_id=***, private_key=***)"

    def signer(self) -> KalshiSigner:
        """The shared signer built from this config (or env / dlt secrets when unset).

        Returns:
            The signer.
        """
        cached: KalshiSigner | None = self.__dict__.get("_signer")
        if cached is None:
            cached = signer_from_config(
                self.api_key_id or None, self.private_key_path or None, self.private_key or None
            )
            if cached is None:
                raise KalshiConfigError("KalshiAuth: no Kalshi API key configured")
            self.__dict__["_signer"] = cached
        return cached

    @classmethod
    def from_signer(cls, signer: KalshiSigner) -> KalshiAuth:
        """Wrap an existing signer (the trader's or a test's).

        Args:
            signer: the signer.

        Returns:
            The auth object.
        """
        auth = cls()
        auth.__dict__["_signer"] = signer
        return auth

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add the three signature headers to ``request``."""
        request.headers.update(self.signer().headers(request.method or "GET", request.url or ""))
        return request

    def parse_native_representation(self, value: Any) -> None:
        """Not supported: configure with fields or env vars."""
        raise KalshiConfigError("KalshiAuth takes api_key_id and private_key(_path) fields")
