"""Live trading's consent through the real CLI: each refusal is exit 1 and one line naming what is
missing; the key id and the PEM never appear in any output. The typed confirmation runs on a
real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from tests.fakes.kalshi_server import make_key_pair
from trader.cli import app
from trader.consent import (
    ConsentError,
    check_arming_file,
    live_base_url,
    phrase,
    require_live_consent,
)

KEY_ID = "consent-key-id-4f2a9c"
TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def pem() -> bytes:
    return make_key_pair()[1]


@pytest.fixture
def keys(tmp_path: Path, pem: bytes) -> dict[str, str | None]:
    path = tmp_path / "kalshi.pem"
    path.write_bytes(pem)
    return {
        "KALSHI_API_KEY_ID": KEY_ID,
        "KALSHI_PRIVATE_KEY_PATH": str(path),
        "KALSHI_BASE_URL": None,
    }


def _live(args: list[str], env: dict[str, str | None], pem: bytes) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--live", *args], env=env)
    output = result.output
    assert KEY_ID not in output
    assert pem.decode().splitlines()[1] not in output  # no line of the key material
    assert "Traceback" not in output
    return result.exit_code, output


def _arming(tmp_path: Path, text: str) -> str:
    path = tmp_path / "armed.txt"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KALSHI_API_KEY_ID": None}, "live trading needs KALSHI_API_KEY_ID in the environment"),
        (
            {"KALSHI_PRIVATE_KEY_PATH": None},
            "live trading needs KALSHI_PRIVATE_KEY_PATH in the environment",
        ),
        (
            {"KALSHI_PRIVATE_KEY_PATH": "/nonexistent/key.pem"},
            "KALSHI_PRIVATE_KEY_PATH does not name a readable PEM private key",
        ),
    ],
)
def test_missing_or_unusable_credentials_are_one_line(
    keys: dict[str, str | None], pem: bytes, env: dict[str, str | None], message: str
) -> None:
    code, output = _live([], {**keys, **env}, pem)
    assert code == 1
    assert output.strip().splitlines() == [message]


def test_a_key_file_that_is_not_a_key_is_refused_without_quoting_it(
    tmp_path: Path, keys: dict[str, str | None], pem: bytes
) -> None:
    bad = tmp_path / "not-a-key.pem"
    bad.write_text(
        "-----BEGIN PRIVATE KEY-----\nsecret-looking-garbage\n-----END PRIVATE KEY-----\n"
    )
    code, output = _live([], {**keys, "KALSHI_PRIVATE_KEY_PATH": str(bad)}, pem)
    assert code == 1 and "secret-looking-garbage" not in output
    assert output.strip().splitlines() == [
        "KALSHI_PRIVATE_KEY_PATH does not name a readable PEM private key"
    ]


def test_without_a_terminal_or_an_arming_file_live_is_refused(
    keys: dict[str, str | None], pem: bytes
) -> None:
    code, output = _live([], keys, pem)
    assert code == 1
    (line,) = output.strip().splitlines()
    assert "typed confirmation on a terminal, or --arming-file PATH" in line
    assert phrase("demo", TODAY) in line


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (f"live demo {TODAY - timedelta(days=1)}", [], "is stale: armed for"),
        (f"live prod {TODAY}", [], "arms 'prod', not 'demo'"),
        (f"live demo {TODAY}", ["--env", "prod"], "arms 'demo', not 'prod'"),
        ("yes please", [], "must contain exactly: live demo"),
    ],
)
def test_stale_or_wrong_arming_files_are_refused(
    tmp_path: Path,
    keys: dict[str, str | None],
    pem: bytes,
    content: str,
    args: list[str],
    message: str,
) -> None:
    code, output = _live([*args, "--arming-file", _arming(tmp_path, content)], keys, pem)
    assert code == 1
    (line,) = output.strip().splitlines()
    assert message in line


def test_a_base_url_of_the_other_environment_is_refused(
    tmp_path: Path, keys: dict[str, str | None], pem: bytes
) -> None:
    arming = _arming(tmp_path, phrase("demo", TODAY))
    code, output = _live(
        ["--arming-file", arming, "--base-url", "https://external-api.kalshi.com/trade-api/v2"],
        keys,
        pem,
    )
    assert code == 1
    assert output.strip().splitlines() == [
        "--env demo but the base URL https://external-api.kalshi.com/trade-api/v2 is production"
    ]
    with pytest.raises(ConsentError, match="is the demo exchange"):
        live_base_url("prod", None, {"KALSHI_BASE_URL": "https://demo-api.kalshi.co/trade-api/v2"})


def test_a_valid_arming_file_passes_consent(
    tmp_path: Path, keys: dict[str, str | None], pem: bytes
) -> None:
    """Consent given, the run goes on to the next check: here, the missing export (exit 2)."""
    arming = _arming(tmp_path, f"  live demo {TODAY}\n")
    export = tmp_path / "absent.json"
    code, output = _live(
        ["--arming-file", arming, "--export", str(export), "--journal", str(tmp_path / "j")],
        keys,
        pem,
    )
    assert code == 2 and "is missing" in output
    check_arming_file(Path(arming), "demo", TODAY)  # the same file, accepted directly
    with pytest.raises(ConsentError, match="stale"):
        check_arming_file(Path(arming), "demo", date(TODAY.year + 1, 1, 1))


def _on_a_terminal(args: list[str], env: dict[str, str], typed: str) -> tuple[int, str]:
    """Run ``python -m trader`` with a pseudo-terminal as stdin/stdout, type a line."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "trader", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=REPO_ROOT,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break  # the process closed the terminal
            if not chunk:
                break
            output += chunk
        if not sent and b"Type exactly" in output:
            os.write(leader, typed.encode() + b"\n")
            sent = True
        if process.poll() is not None and not ready:
            break
    code = process.wait(timeout=30)
    os.close(leader)
    return code, output.decode(errors="replace")


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("live demo yesterday", 1, "the phrase typed did not match"),
        (phrase("demo", TODAY), 2, "is missing"),  # consent given: then the missing export
    ],
)
def test_the_typed_confirmation_on_a_terminal(
    tmp_path: Path,
    keys: dict[str, str | None],
    pem: bytes,
    typed: str,
    code: int,
    message: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_")}
    env.update({k: v for k, v in keys.items() if v is not None})
    env["PYTHONPATH"] = str(REPO_ROOT)
    args = ["--live", "--export", str(tmp_path / "absent.json"), "--journal", str(tmp_path / "j")]
    got, output = _on_a_terminal(args, env, typed)
    assert got == code, output
    assert f"Type exactly '{phrase('demo', TODAY)}'" in output
    assert message in output
    assert KEY_ID not in output


def test_the_consent_never_shows_the_key(keys: dict[str, str | None]) -> None:
    path = keys["KALSHI_PRIVATE_KEY_PATH"]
    assert path is not None
    consent = require_live_consent(
        "demo",
        base_url="http://127.0.0.1:9/trade-api/v2",
        arming_file=None,
        today=TODAY,
        environ={"KALSHI_API_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": path},
        interactive=True,
        ask=lambda prompt: phrase("demo", TODAY),
    )
    assert consent.how == "typed" and consent.env == "demo"
    assert KEY_ID not in repr(consent) and KEY_ID not in repr(consent.signer)
