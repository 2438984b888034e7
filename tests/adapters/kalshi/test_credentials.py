"""Credential resolution: explicit value, then the environment, then .dlt/secrets.toml (TOML)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.credentials import resolve_signer
from adapters.kalshi.signing import KalshiConfigError, KalshiSigner
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_server import FakeKalshi


def _key_id_of(signer: KalshiSigner | None, key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> str:
    """The key id a signer sends, checked to sign with the session key."""
    assert signer is not None
    headers = signer.headers("GET", "/trade-api/v2/markets", ts_ms=1)
    for key_id in (KEY_ID, "from-env", "from-file", "explicit"):
        if FakeKalshi(public_key=key_pair[0].public_key(), key_id=key_id).verify(
            "GET", "/trade-api/v2/markets", headers
        ):
            return key_id
    raise AssertionError("signature does not verify with the session key")


def _secrets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(body)
    return path


def test_explicit_beats_environment_beats_file(
    key_file: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes], tmp_path: Path
) -> None:
    secrets = _secrets(
        tmp_path,
        f'[sources.kalshi]\napi_key_id = "from-file"\nprivate_key_path = "{key_file}"\n',
    )
    env = {"KALSHI_API_KEY_ID": "from-env", "KALSHI_PRIVATE_KEY_PATH": str(key_file)}
    explicit = resolve_signer("explicit", key_file, environ=env, secrets_path=secrets)
    assert _key_id_of(explicit, key_pair) == "explicit"
    from_env = resolve_signer(environ=env, secrets_path=secrets)
    assert _key_id_of(from_env, key_pair) == "from-env"
    from_file = resolve_signer(environ={}, secrets_path=secrets)
    assert _key_id_of(from_file, key_pair) == "from-file"


def test_file_may_hold_the_pem_text(
    key_pair: tuple[rsa.RSAPrivateKey, bytes], tmp_path: Path
) -> None:
    pem = key_pair[1].decode()
    secrets = _secrets(
        tmp_path, f'[sources.kalshi]\napi_key_id = "from-file"\nprivate_key = """{pem}"""\n'
    )
    assert _key_id_of(resolve_signer(environ={}, secrets_path=secrets), key_pair) == "from-file"


def test_key_id_from_env_key_from_file(
    key_file: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes], tmp_path: Path
) -> None:
    secrets = _secrets(tmp_path, f'[sources.kalshi]\nprivate_key_path = "{key_file}"\n')
    signer = resolve_signer(environ={"KALSHI_API_KEY_ID": "from-env"}, secrets_path=secrets)
    assert _key_id_of(signer, key_pair) == "from-env"


def test_nothing_configured_means_unsigned(tmp_path: Path) -> None:
    assert resolve_signer(environ={}, secrets_path=tmp_path / "absent.toml") is None
    empty = _secrets(tmp_path, '[sources.kalshi]\napi_key_id = ""\n')
    assert resolve_signer(environ={}, secrets_path=empty) is None


def test_key_id_without_key_fails_without_naming_it(tmp_path: Path) -> None:
    with pytest.raises(KalshiConfigError, match="no private key") as info:
        resolve_signer(KEY_ID, environ={}, secrets_path=tmp_path / "absent.toml")
    assert KEY_ID not in str(info.value)


def test_bad_toml_is_reported_without_its_content(tmp_path: Path) -> None:
    secrets = _secrets(tmp_path, 'api_key_id = "s3cr3t-id\n')  # unterminated string
    with pytest.raises(KalshiConfigError, match="as TOML") as info:
        resolve_signer(environ={}, secrets_path=secrets)
    assert "s3cr3t" not in str(info.value)
    assert info.value.__suppress_context__


def test_missing_key_file_names_the_path_only(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(KalshiConfigError, match="nope.pem") as info:
        resolve_signer(KEY_ID, missing, environ={}, secrets_path=tmp_path / "absent.toml")
    assert KEY_ID not in str(info.value)


def test_default_file_is_dot_dlt_in_the_working_directory(
    key_file: Path,
    key_pair: tuple[rsa.RSAPrivateKey, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / ".dlt").mkdir()
    _secrets(
        tmp_path / ".dlt",
        f'[sources.kalshi]\napi_key_id = "from-file"\nprivate_key_path = "{key_file}"\n',
    )
    monkeypatch.chdir(tmp_path)
    assert _key_id_of(resolve_signer(environ={}), key_pair) == "from-file"


def test_resolution_logs_origins_not_values(
    key_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"KALSHI_API_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": str(key_file)}
    with caplog.at_level(logging.DEBUG, logger="adapters.kalshi.credentials"):
        resolve_signer(environ=env, secrets_path=tmp_path / "absent.toml")
    assert "environment" in caplog.text
    assert KEY_ID not in caplog.text
