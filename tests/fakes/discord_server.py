"""A local fake Discord webhook (real HTTP on 127.0.0.1, in a thread).

``POST /api/webhooks/{id}/{token}`` records the JSON body and answers 204 like Discord, with
``X-RateLimit-*`` headers for a 5-requests-per-2-s bucket; a request beyond the bucket gets a
real-shaped 429 (``{"message": ..., "retry_after": s, "global": false}``). A body beyond
Discord's size limits (``embed_problems``) gets a 400 ``Invalid Form Body`` like Discord's.
Tests can queue
answers (``script = [500, 429, "slow"]``): a status, 429 (with ``retry_after``) or ``"slow"``
(sleeps ``slow_s`` before answering 204).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WEBHOOK_PATH = "/api/webhooks/123456/s3cr3t-t0ken-abcdef"
# Discord's documented message limits (discord.com/developers/docs/resources/message).
LIMITS = {"title": 256, "description": 4096, "name": 256, "value": 1024, "footer": 2048}
FIELDS_MAX, EMBEDS_MAX, EMBED_TOTAL_MAX, CONTENT_MAX = 25, 10, 6000, 2000


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def embed_problems(body: dict[str, Any]) -> list[str]:
    """What Discord would refuse in a webhook body (empty when it is acceptable)."""
    problems = []
    if _units(str(body.get("content") or "")) > CONTENT_MAX:
        problems.append("content too long")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"{len(embeds)} embeds")
    for n, embed in enumerate(embeds):
        fields = embed.get("fields") or []
        texts = {"title": embed.get("title"), "description": embed.get("description")}
        texts["footer"] = (embed.get("footer") or {}).get("text")
        if len(fields) > FIELDS_MAX:
            problems.append(f"embed {n}: {len(fields)} fields")
        total = 0
        for key, text in texts.items():
            if text is not None:
                total += _units(text)
                if _units(text) > LIMITS[key]:
                    problems.append(f"embed {n}: {key} too long")
        for field in fields:
            for key in ("name", "value"):
                text = str(field.get(key) or "")
                total += _units(text)
                if not text.strip() or _units(text) > LIMITS[key]:
                    problems.append(f"embed {n}: field {key} empty or too long")
        if total > EMBED_TOTAL_MAX:
            problems.append(f"embed {n}: {total} characters")
    return problems


class FakeDiscord:
    """The fake webhook's knobs and what it received.

    Attributes:
        script: answers to give, in order, before behaving normally.
        retry_after: seconds a scripted 429 asks for.
        slow_s: how long a ``"slow"`` answer takes.
        limit / window_s: the bucket enforced (Discord: 5 per 2 s per webhook).
        received: JSON bodies accepted (204), in order.
        attempts: monotonic times of every POST, accepted or not.
        unscripted_429: 429s the client earned by exceeding the bucket.
    """

    def __init__(self, limit: int = 5, window_s: float = 2.0) -> None:
        self.script: list[int | str] = []
        self.retry_after = 0.3
        self.slow_s = 3.0
        self.limit = limit
        self.window_s = window_s
        self.received: list[dict[str, Any]] = []
        self.attempts: list[float] = []
        self.unscripted_429 = 0
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        with self._lock:
            now = time.monotonic()
            self.attempts.append(now)
            while self._recent and now - self._recent[0] >= self.window_s:
                self._recent.popleft()
            step = self.script.pop(0) if self.script else None
            if step is None and len(self._recent) >= self.limit:
                self.unscripted_429 += 1
                step = 429
            self._recent.append(now)
            reset_after = self.window_s - (now - self._recent[0])
            headers = {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(0, self.limit - len(self._recent))),
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": "fakebucket",
            }
        if step == "slow":
            time.sleep(self.slow_s)
            step = None
        if step == 429:
            wait = self.retry_after
            return (
                429,
                {"message": "You are being rate limited.", "retry_after": wait, "global": False},
                headers,
            )
        if isinstance(step, int):
            return step, {"message": "Internal Server Error", "code": 0}, headers
        problems = embed_problems(body)
        if problems:
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": problems}, {}
        with self._lock:
            self.received.append(body)
        return 204, None, headers

    def start(self) -> str:
        """Start serving on a free port; returns the webhook URL (its token is the secret)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def do_POST(self) -> None:  # noqa: N802 - the stdlib names it
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.split("?")[0] != WEBHOOK_PATH:
                    self._send(404, {"message": "Unknown Webhook", "code": 10015}, {})
                    return
                status, body, headers = fake._answer(json.loads(raw or b"{}"))
                self._send(status, body, headers)

            def _send(
                self, status: int, body: dict[str, Any] | None, headers: dict[str, str]
            ) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if body is not None:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{WEBHOOK_PATH}"

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
