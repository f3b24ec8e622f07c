"""The LLM narrator against a real HTTP server on 127.0.0.1 (OpenAI-compatible /v1/chat/completions)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from undercut_cli import free_port

from insights import llm
from insights.data import RaceData
from insights.narration import narrate
from insights.stories import detect_stories, stories_frame


class _ChatHandler(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v1/chat/completions" and body["model"] == "test-model"
        drafts = json.loads(body["messages"][-1]["content"])
        answer = json.dumps([f"LLM: {d}" for d in drafts])
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def _serve(status: int) -> Iterator[str]:
    handler = type("Handler", (_ChatHandler,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def ok_server() -> Iterator[str]:
    yield from _serve(200)


@pytest.fixture()
def failing_server() -> Iterator[str]:
    yield from _serve(500)


@pytest.fixture(scope="module")
def monaco(races: dict[str, RaceData]):  # type: ignore[no-untyped-def]
    race = races["2024-08"]
    return race, narrate(stories_frame(race, detect_stories(race)))


def test_llm_rewrites_every_variant(ok_server: str, monaco, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    race, narrated = monaco
    monkeypatch.setenv("UNDERCUT_LLM_URL", ok_server)
    monkeypatch.setenv("UNDERCUT_LLM_MODEL", "test-model")
    narrator = llm.LlmNarrator.from_env()
    assert narrator is not None
    out = llm.apply(narrated, race.race_name, narrator)
    assert (out["narrator"] == "llm:test-model").all() and narrator.failure is None
    assert (out["text"] == "LLM: " + narrated["text"]).all()


def test_http_500_falls_back_to_templates(failing_server: str, monaco) -> None:  # type: ignore[no-untyped-def]
    race, narrated = monaco
    narrator = llm.LlmNarrator(url=failing_server, model="test-model")
    out = llm.apply(narrated, race.race_name, narrator)
    assert out.equals(narrated) and (out["narrator"] == "template").all()
    assert narrator.failure is not None and "500" in narrator.failure


def test_connection_refused_falls_back_to_templates(monaco) -> None:  # type: ignore[no-untyped-def]
    race, narrated = monaco
    port = free_port()
    narrator = llm.LlmNarrator(url=f"http://127.0.0.1:{port}/v1", model="test-model", timeout_s=2)
    out = llm.apply(narrated, race.race_name, narrator)
    assert out.equals(narrated) and narrator.failure is not None and "ConnectError" in narrator.failure


def test_llm_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNDERCUT_LLM_URL", raising=False)
    assert llm.LlmNarrator.from_env() is None
