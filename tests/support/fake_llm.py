"""An OpenAI-compatible chat server on loopback with scripted replies, for tests (standard library only)."""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODELS = {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": "test"}]}


@dataclass
class Reply:
    text: str = ""  # the assistant message content
    delay: float = 0.0  # seconds to sleep before answering (to test client timeouts)
    status: int = 200  # non-200 returns an OpenAI-style error JSON
    chunk_size: int = 8  # characters per streamed delta


class FakeLLM:
    """OpenAI-compatible chat server on 127.0.0.1 with scripted replies, for tests."""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.base_url = ""
        self.requests: list[dict[str, Any]] = []
        self._queue: list[Reply] = list(replies or [])
        self._last: Reply | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def script(self, *replies: Reply) -> None:
        """Replace the queue of replies."""
        with self._lock:
            self._queue = list(replies)

    def start(self) -> FakeLLM:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a delay; they then answer nothing
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._queue:
                self._last = self._queue.pop(0)
            return self._last or Reply("OK")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeLLM) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up after its timeout is expected
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str = "server_error") -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _route(self) -> str:
        return self.path.split("?")[0].rstrip("/")

    def _not_found(self) -> None:
        self._error(404, f"no route for {self.command} {self.path}", "not_found")

    def do_GET(self) -> None:
        if self._route() == "/v1/models":
            self._send_json(200, MODELS)
        else:
            self._not_found()

    def do_POST(self) -> None:
        raw = self._read_body()
        if self._route() != "/v1/chat/completions":
            return self._not_found()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._error(400, "request body is not a JSON object", "invalid_request_error")
        reply = self.server.fake._take(body)
        if reply.delay and self.server.fake._stopping.wait(reply.delay):
            self.close_connection = True  # the server is stopping: answer nothing
            return
        if reply.status != 200:
            return self._error(reply.status, f"scripted error {reply.status}")
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()), "model": body.get("model", "")}
        if body.get("stream"):
            return self._stream(base, reply)
        prompt, completion = len(json.dumps(body.get("messages", [])).split()), len(reply.text.split())  # plausible
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        choice = {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
        self._send_json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})

    def do_PUT(self) -> None:
        self._read_body()
        self._not_found()

    do_DELETE = do_PATCH = do_PUT

    def _stream(self, base: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        size = max(1, reply.chunk_size)
        deltas: list[tuple[dict[str, str], str | None]] = [({"role": "assistant", "content": ""}, None)]
        deltas += [({"content": reply.text[i : i + size]}, None) for i in range(0, len(reply.text), size)]
        deltas.append(({}, "stop"))
        for delta, finish in deltas:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            self._chunk(f"data: {json.dumps({**base, 'object': 'chat.completion.chunk', 'choices': [choice]})}\n\n")
        self._chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, event: str) -> None:
        data = event.encode()
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
