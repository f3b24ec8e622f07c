"""The fake Jolpica: a real HTTP server on 127.0.0.1 serving hand-written pages and a database dump, and fake
time."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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
DUMPS_INDEX = "/data/dumps/download/"  # Jolpica's dumps index; the delayed CSV dump is under it
DELAYED_DUMP = f"{DUMPS_INDEX}delayed/"
T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp()  # fake "now": the 2024 fixture season is long over


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # real seconds before answering, to trip the client's read timeout


@dataclass(frozen=True)
class Request:
    path: str  # without the API prefix and ".json", e.g. "2024/results"; a dump path in full ("/data/dumps/...")
    limit: int | None
    offset: int
    range: str | None = None  # the Range header of a dump download


@dataclass
class Dump:
    body: bytes
    sha256: str  # what the index promises (a test may make it lie)
    drop_after: int | None  # the next download stops after this many bytes, once
    served_bytes: int = 0


class FakeJolpica:
    """Serves ``GET /ergast/f1/<path>.json?limit=L&offset=N`` from ``tests/fixtures/jolpica/<path>.json`` (offset 0)
    or ``<path>@N.json``; replies scripted for a path with :meth:`script` are served first, in order."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.dump: Dump | None = None
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        host = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.base_url = f"{host}/ergast/f1"
        self.dump_url = f"{host}{DELAYED_DUMP}?dump_type=csv"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    def __enter__(self) -> FakeJolpica:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def publish_dump(self, body: bytes, *, sha256: str | None = None, drop_after: int | None = None) -> str:
        """Serve ``body`` as the delayed CSV dump (Range requests honoured) and list it in the dumps index with
        ``sha256`` (default: its own); the next download breaks off after ``drop_after`` bytes. Returns its URL."""
        self.dump = Dump(body, sha256 or hashlib.sha256(body).hexdigest(), drop_after)
        return self.dump_url

    def dump_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(DELAYED_DUMP)]

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
        if url.path.startswith(DUMPS_INDEX):
            self._dump(url.path)
            return
        query = parse_qs(url.query)
        limit = int(query["limit"][0]) if "limit" in query else None
        request = Request(url.path.removeprefix(API_PREFIX).removesuffix(".json"), limit,
                          int(query.get("offset", ["0"])[0]))
        reply = self.server.fake.reply(request)  # type: ignore[attr-defined]
        time.sleep(reply.delay_s)
        self._send(reply.status, reply.body, "application/json", reply.headers)

    def _dump(self, path: str) -> None:
        fake: FakeJolpica = self.server.fake  # type: ignore[attr-defined]
        with fake._lock:
            fake.requests.append(Request(path, None, 0, self.headers.get("Range")))
        dump = fake.dump
        if dump is None:
            self._send(404, b'{"detail": "Not found."}', "application/json")
        elif path == DUMPS_INDEX:
            entry = {"dump_type": "csv", "file_hash": dump.sha256, "file_size": len(dump.body),
                     "uploaded_at": "2025-09-07T15:01:43.250560Z", "download_url": fake.dump_url}
            index = {"available_types": ["csv"], "delay_days": 14, "delayed_dumps": {"csv": entry},
                     "latest_dumps": {"csv": {**entry, "download_url": fake.dump_url.replace("delayed", "latest")}}}
            self._send(200, json.dumps(index).encode(), "application/json")
        else:
            start = int(self.headers["Range"].removeprefix("bytes=").split("-")[0]) if self.headers["Range"] else 0
            part = dump.body[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(dump.body) - 1}/{len(dump.body)}")
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            if dump.drop_after is not None:  # the connection breaks: fewer bytes than announced
                part, dump.drop_after = part[:dump.drop_after], None
            self.wfile.write(part)
            dump.served_bytes += len(part)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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
