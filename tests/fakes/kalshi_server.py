"""A fake Kalshi REST server on 127.0.0.1 that verifies request signatures.

Routes map a GET path (``/trade-api/v2/markets``) to a handler ``(query) -> (status, body)`` or
to a list of canned ``(status, body)`` responses served in turn (the last one repeats). Every
request must carry valid ``KALSHI-ACCESS-*`` headers signed by the key pair's private half;
otherwise the server answers 401 and records the failure.

Requests no route answers (and every POST and DELETE) go to ``fallback`` when one is set
(``tests.fakes.kalshi_exchange`` plugs its exchange in there); a fallback may answer
``(DROP, None)`` to close the connection without any response.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PREFIX = "/trade-api/v2"
# How far a request's timestamp may be from the server's clock (milliseconds).
STAMP_TOLERANCE_MS = 30_000

Query = dict[str, str]
Response = tuple[int, Any]
Handler = Callable[[Query], Response]
# A fallback's status meaning "close the connection, send nothing" (a response lost in transit).
DROP = -1


def make_key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    """A fresh RSA key and its PEM-encoded private half (what a user would save to a file)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, pem


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: Query
    signature_ok: bool
    body: Any = None


Fallback = Callable[[Seen], Response | None]
"""Answers a request no GET route serves (None = 404); gets the decoded JSON body in ``body``."""


@dataclass
class FakeKalshi:
    """Server state: routes, the public key and the request log."""

    public_key: rsa.RSAPublicKey
    key_id: str
    routes: dict[str, Handler | list[Response]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    require_signature: bool = True
    base_url: str = ""
    fallback: Fallback | None = None

    def route(self, path: str, handler: Handler | list[Response] | Any) -> None:
        """Serve ``path`` (relative to /trade-api/v2) with a handler, canned list, or a body."""
        if not callable(handler) and not isinstance(handler, list):
            body = handler
            handler = [(200, body)]
        self.routes[PREFIX + path] = handler

    def requests_to(self, path: str) -> list[Seen]:
        """Requests made to ``path`` (relative to /trade-api/v2)."""
        return [s for s in self.seen if s.path == PREFIX + path]

    def verify(self, method: str, path: str, headers: Any) -> bool:
        """Check the three signature headers against the public key."""
        key_id = headers.get("KALSHI-ACCESS-KEY")
        stamp = headers.get("KALSHI-ACCESS-TIMESTAMP")
        signature = headers.get("KALSHI-ACCESS-SIGNATURE")
        if key_id != self.key_id or not stamp or not signature or not stamp.isdigit():
            return False
        try:
            self.public_key.verify(
                base64.b64decode(signature),
                f"{stamp}{method}{path}".encode(),
                padding.PSS(
                    mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
                ),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return False
        return True


def fresh_stamp(headers: Any) -> bool:
    """The request's timestamp is milliseconds of now: a signer sending seconds, or a stale
    stamp, is refused over HTTP as on the venue (``verify`` alone checks only the signature)."""
    stamp = headers.get("KALSHI-ACCESS-TIMESTAMP") or ""
    return stamp.isdigit() and abs(int(stamp) - time.time() * 1000) <= STAMP_TOLERANCE_MS


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closed its end before a delayed answer: expected, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_class(state: FakeKalshi) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def _reply(self, status: int, body: Any) -> None:
            # bytes go out as they are: a broken or hostile body
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return raw  # not JSON: the fallback sees the bytes and refuses them

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            body = self._body() if method != "GET" else None
            ok = state.verify(method, parts.path, self.headers) and fresh_stamp(self.headers)
            seen = Seen(method, parts.path, query, ok, body)
            state.seen.append(seen)
            if state.require_signature and not ok:
                self._reply(401, {"code": "unauthorized", "message": "bad signature"})
                return
            handler = state.routes.get(parts.path) if method == "GET" else None
            if handler is None:
                answer = state.fallback(seen) if state.fallback is not None else None
                if answer is None:
                    self._reply(404, {"code": "not_found", "message": parts.path})
                elif answer[0] == DROP:
                    self.close_connection = True  # the client reads EOF: no status at all
                else:
                    self._reply(*answer)
                return
            if isinstance(handler, list):
                status, answer_body = handler.pop(0) if len(handler) > 1 else handler[0]
            else:
                status, answer_body = handler(query)
            self._reply(status, answer_body)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

    return _Handler


@contextmanager
def fake_kalshi(public_key: rsa.RSAPublicKey, key_id: str = "test-key") -> Iterator[FakeKalshi]:
    """Run the fake server on a free port of 127.0.0.1 for the duration of the block.

    Args:
        public_key: the key that verifies signatures.
        key_id: the expected KALSHI-ACCESS-KEY.

    Returns:
        The server state; ``state.base_url`` is the REST base to point clients at.
    """
    state = FakeKalshi(public_key=public_key, key_id=key_id)
    server = _Server(("127.0.0.1", 0), _handler_class(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    # A short poll: shutdown (every test teardown) waits up to one interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def paged(items_key: str, pages: list[list[Any]], cursors: list[str]) -> Handler:
    """A handler serving ``pages`` in order keyed by cursor: page i is returned for cursor i-1.

    Args:
        items_key: the list key (``markets``...).
        pages: the items of each page.
        cursors: the cursor returned with each page (``""`` ends).

    Returns:
        The handler.
    """

    def _handle(query: Query) -> Response:
        cursor = query.get("cursor")
        index = 0 if not cursor else cursors.index(cursor) + 1
        return 200, {items_key: pages[index], "cursor": cursors[index]}

    return _handle
