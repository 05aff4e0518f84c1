"""A small stand-in for the AI Toolkit's inference app (gradio_chat.py), for localcloud demos.

It needs no GPU, no model download and nothing beyond the standard library, yet answers like
the real app: `/` (a page) and an OpenAI-style `POST /v1/chat/completions` (JSON, or SSE with
`"stream": true`). `code_version` is a hash of the files of this folder, so a redeploy of
changed code is visible in every answer. It listens on $PORT (localcloud sets it), else 7860
as in Azure.

Like gradio_chat.py, which loads the adapter the fine-tuning job left under `../models/`, it
answers from the model that `finetuning/train.py` wrote to `/mount/models/qa-classifier/`
(`../models/qa-classifier` from this folder, or $FINETUNED_MODEL_DIR) when there is one -
read again whenever a new run replaces it - and says so in the answer; without one it gives
its greeting.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import time
import uuid
import zlib
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
MODEL_DIR = Path(os.environ.get("FINETUNED_MODEL_DIR") or HERE.parent / "models" / "qa-classifier")
BUCKETS = 4096
_WORD = re.compile(r"[a-z0-9']+")


def features(text: str) -> set[int]:
    """As finetuning/train.py computes them: CRC-32 buckets of words and word pairs."""
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return {zlib.crc32(g.encode()) % BUCKETS for g in grams}


class FineTuned:
    """The trained model on the share, loaded again when its metadata file changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp: tuple[int, int] | None = None
        self.answers: list[str] = []
        self.weights: list[dict[str, float]] = []
        self.bias: list[float] = []
        self.metadata: dict[str, object] = {}

    def current(self) -> FineTuned | None:
        try:
            info = (self.folder / "metadata.json").stat()
        except OSError:
            self.answers, self._stamp = [], None
            return None
        if (info.st_mtime_ns, info.st_size) != self._stamp:
            self._load((info.st_mtime_ns, info.st_size))
        return self if self.answers else None

    def _load(self, stamp: tuple[int, int]) -> None:
        try:
            model = json.loads((self.folder / "model.json").read_text(encoding="utf-8"))
            metadata = json.loads((self.folder / "metadata.json").read_text(encoding="utf-8"))
            answers = [str(a) for a in model["answers"]]
            weights = [{str(k): float(v) for k, v in w.items()} for w in model["weights"]]
            bias = [float(b) for b in model["bias"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # half-written by a run in progress: keep what we had, look again next time
        if model.get("buckets") != BUCKETS or not answers:
            return
        if not len(answers) == len(weights) == len(bias):
            return
        self.answers, self.weights, self.bias = answers, weights, bias
        self.metadata, self._stamp = dict(metadata), stamp

    def answer(self, question: str) -> tuple[str, float]:
        feats = features(question)
        logits = [
            b + sum(w.get(str(f), 0.0) for f in feats)
            for w, b in zip(self.weights, self.bias, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        best = exps.index(max(exps))
        return self.answers[best], exps[best] / sum(exps)

    def describe(self) -> dict[str, object]:
        keys = ("name", "dataset_sha256", "examples", "steps", "loss", "accuracy", "trained_at")
        return {k: self.metadata.get(k) for k in keys}


FINETUNED = FineTuned(MODEL_DIR)


def reply_to(messages: list[dict[str, object]], tuned: FineTuned = FINETUNED) -> str:
    last = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    question = str(last.get("content", "")) if last else ""
    model = tuned.current()
    if model is None:
        return f"{GREETING} You asked: {question!r}. (code version {VERSION})"
    answer, confidence = model.answer(question)
    meta = model.metadata
    return (
        f"{answer} [answered by the fine-tuned model {meta.get('name')!s} - trained on "
        f"{meta.get('examples')} examples, {meta.get('steps')} steps, loss {meta.get('loss')} - "
        f"with confidence {confidence:.2f}; code version {VERSION}]"
    )


def model_info() -> dict[str, object] | None:
    model = FINETUNED.current()
    return model.describe() if model is not None else None


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
            self._json(
                200,
                {
                    "status": "ok",
                    "model": MODEL,
                    "code_version": VERSION,
                    "fine_tuned": model_info(),
                },
            )
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
        "fine_tuned": model_info(),
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
