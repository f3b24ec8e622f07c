"""The fake Jolpica: a real HTTP server on 127.0.0.1 serving hand-written pages, and fake time."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jolpica"
API_PREFIX = "/ergast/f1/"
T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp()  # fake "now": the 2024 fixture season is long over


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # real seconds before answering, to trip the client's read timeout


@dataclass(frozen=True)
class Request:
    path: str  # without the API prefix and ".json", e.g. "2024/results"
    limit: int | None
    offset: int


class FakeJolpica:
    """Serves ``GET /ergast/f1/<path>.json?limit=L&offset=N`` from ``tests/fixtures/jolpica/<path>.json`` (offset 0)
    or ``<path>@N.json``; replies scripted for a path with :meth:`script` are served first, in order."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/ergast/f1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    def __enter__(self) -> FakeJolpica:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, path: str, *replies: Reply) -> None:
        self._scripts[path].extend(replies)

    def offsets(self, path: str) -> list[int]:
        return [r.offset for r in self.requests if r.path == path]

    def reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._scripts[request.path]:
                return self._scripts[request.path].popleft()
        name = request.path if request.offset == 0 else f"{request.path}@{request.offset}"
        page = FIXTURES / f"{name}.json"
        if page.is_file():
            return Reply(body=page.read_bytes())
        return Reply(404, b'{"detail": "Not found."}')


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        limit = int(query["limit"][0]) if "limit" in query else None
        request = Request(url.path.removeprefix(API_PREFIX).removesuffix(".json"), limit,
                          int(query.get("offset", ["0"])[0]))
        reply = self.server.fake.reply(request)  # type: ignore[attr-defined]
        time.sleep(reply.delay_s)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class FakeClock:
    """Injected as both ``clock`` and ``sleep``: sleeping advances time instantly and is recorded."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
