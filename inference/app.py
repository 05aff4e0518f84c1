"""A small stand-in for the AI Toolkit's inference app (gradio_chat.py), for localcloud demos.

It needs no GPU, no model download and nothing beyond the standard library, yet answers like
the real app: `/` (a page) and an OpenAI-style `POST /v1/chat/completions` (JSON, or SSE with
`"stream": true`). `code_version` is a hash of the files of this folder, so a redeploy of
changed code is visible in every answer. It listens on $PORT (localcloud sets it), else 7860
as in Azure.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = os.environ.get("MODEL_NAME", "phi-3-mini-4k-instruct (sample)")


def code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(HERE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


VERSION = code_version()
GREETING = (HERE / "greeting.txt").read_text(encoding="utf-8").strip()


def reply_to(messages: list[dict[str, object]]) -> str:
    last = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    question = str(last.get("content", "")) if last else ""
    return f"{GREETING} You asked: {question!r}. (code version {VERSION})"


class Handler(BaseHTTPRequestHandler):
    server_version = "sample-inference/1.0"

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)

    def _json(self, status: int, doc: object) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path in ("/", "/health"):
            self._json(200, {"status": "ok", "model": MODEL, "code_version": VERSION})
        elif self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            messages = list(request.get("messages") or [])
        except (ValueError, TypeError, AttributeError):
            self._json(400, {"error": {"message": "expected a JSON body with messages"}})
            return
        answer = reply_to(messages)
        if request.get("stream"):
            self._stream(answer)
        else:
            self._json(200, completion(answer))

    def _stream(self, answer: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        for word in answer.split(" "):
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "model": MODEL,
                "choices": [{"index": 0, "delta": {"content": word + " "}}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def completion(answer: str) -> dict[str, object]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "code_version": VERSION,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": answer},
            }
        ],
    }


def main() -> None:
    port = int(os.environ.get("PORT", "7860"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"sample inference app {VERSION} listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
