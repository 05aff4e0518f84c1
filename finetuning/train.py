"""A fine-tuning job small enough to run anywhere: a question -> answer classifier trained on
the workspace's `dataset/` in a few seconds, with nothing beyond the Python standard library.

It stands in for the AI Toolkit's `finetuning/invoke_olive.py` where no GPU and no model
download are at hand (localcloud, tests, the demo), and behaves like a training job: progress
lines on stdout (one per epoch: step, loss, accuracy), the model written under
`models/<name>/` on the share with a metadata file (dataset SHA-256, examples, steps, loss),
a non-zero exit on bad input.

Data: every `*.jsonl` file of the dataset folder, one JSON object per line with the strings
`question` and `answer`; each distinct answer is a class. Model: softmax regression over
hashed word unigrams and bigrams, trained with plain SGD. The inference app
(`inference/app.py`) reads `model.json` and answers with the most likely answer.

    python3 ./finetuning/train.py --data ./dataset --out ./models/qa-classifier
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import random
import re
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FORMAT = "qa-softmax/1"
BUCKETS = 4096
_WORD = re.compile(r"[a-z0-9']+")
EXIT_BAD_INPUT = 2
Callback = Callable[[int, int, float, float], None]  # epoch, steps, loss, accuracy


class BadInput(Exception):
    """The dataset cannot be trained on: the job exits 2 with this message."""


@dataclass(frozen=True)
class Example:
    features: tuple[int, ...]
    label: int


def features(text: str) -> tuple[int, ...]:
    """CRC-32 buckets of the lower-cased words and word pairs (the app computes the same)."""
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return tuple(sorted({zlib.crc32(g.encode()) % BUCKETS for g in grams}))


def read_dataset(folder: Path) -> tuple[list[tuple[str, str]], str]:
    """(question, answer) pairs of every *.jsonl file, and the SHA-256 over the files."""
    if not folder.is_dir():
        raise BadInput(f"{folder}: no dataset folder")
    paths = sorted(folder.glob("*.jsonl"))
    if not paths:
        raise BadInput(f"{folder}: no *.jsonl file")
    digest = hashlib.sha256()
    pairs: list[tuple[str, str]] = []
    for path in paths:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        pairs += _pairs(path, raw)
    return pairs, digest.hexdigest()


def _pairs(path: Path, raw: bytes) -> Iterable[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 ({exc.reason})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise BadInput(f"{path}:{number}: not JSON ({exc})") from None
        question = item.get("question") if isinstance(item, dict) else None
        answer = item.get("answer") if isinstance(item, dict) else None
        if not (isinstance(question, str) and question.strip()):
            raise BadInput(f"{path}:{number}: expected a non-empty string 'question'")
        if not (isinstance(answer, str) and answer.strip()):
            raise BadInput(f"{path}:{number}: expected a non-empty string 'answer'")
        yield question, answer


@dataclass
class Model:
    answers: list[str]
    weights: list[dict[int, float]]  # per class: bucket -> weight
    bias: list[float]

    def scores(self, feats: Sequence[int]) -> list[float]:
        logits = [
            b + sum(w.get(f, 0.0) for f in feats)
            for w, b in zip(self.weights, self.bias, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]


def train(
    pairs: Sequence[tuple[str, str]],
    epochs: int,
    rate: float,
    seed: int,
    on_epoch: Callback | None = None,
) -> tuple[Model, float, float, int]:
    """SGD on the cross-entropy; returns the model, the last epoch's mean loss, the training
    accuracy and the number of steps."""
    answers = sorted({a for _, a in pairs})
    if len(answers) < 2:
        raise BadInput(f"{len(pairs)} examples with {len(answers)} answer(s): need at least 2")
    index = {a: i for i, a in enumerate(answers)}
    examples = [Example(features(q), index[a]) for q, a in pairs]
    model = Model(answers, [{} for _ in answers], [0.0] * len(answers))
    order = list(range(len(examples)))
    rng = random.Random(seed)
    steps, loss, accuracy = 0, 0.0, 0.0
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        total = 0.0
        for i in order:
            total += _step(model, examples[i], rate)
            steps += 1
        loss = total / len(examples)
        accuracy = _accuracy(model, examples)
        if on_epoch is not None:
            on_epoch(epoch, steps, loss, accuracy)
    return model, loss, accuracy, steps


def _step(model: Model, example: Example, rate: float) -> float:
    probs = model.scores(example.features)
    for c, p in enumerate(probs):
        grad = p - (1.0 if c == example.label else 0.0)
        if abs(grad) < 1e-9:
            continue
        weights = model.weights[c]
        for f in example.features:
            weights[f] = weights.get(f, 0.0) - rate * grad
        model.bias[c] -= rate * grad
    return -math.log(max(probs[example.label], 1e-12))


def _accuracy(model: Model, examples: Sequence[Example]) -> float:
    right = 0
    for ex in examples:
        probs = model.scores(ex.features)
        right += probs.index(max(probs)) == ex.label
    return right / len(examples)


def write_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def save(model: Model, out: Path, metadata: dict[str, object]) -> None:
    weights = [{str(f): round(w, 6) for f, w in sorted(ws.items()) if abs(w) > 1e-6}
               for ws in model.weights]  # fmt: skip
    write_atomic(
        out / "model.json",
        {"format": FORMAT, "buckets": BUCKETS, "answers": model.answers,
         "bias": [round(b, 6) for b in model.bias], "weights": weights},
    )  # fmt: skip
    write_atomic(out / "metadata.json", metadata)  # last: its presence means a complete model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("dataset"))
    parser.add_argument("--out", type=Path, default=Path("models/qa-classifier"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--epoch-pause", type=float, default=0.05, help="seconds between epochs")
    opts = parser.parse_args(argv)
    started = time.monotonic()
    # Whether the job's secret reached it (never its value): `finetune secret set HF_TOKEN`.
    print("HF_TOKEN is set" if os.environ.get("HF_TOKEN") else "HF_TOKEN is not set", flush=True)
    try:
        if opts.epochs < 1:
            raise BadInput(f"--epochs {opts.epochs}: expected at least 1")
        pairs, sha = read_dataset(opts.data)
        print(f"dataset {opts.data}: {len(pairs)} examples, sha256 {sha[:12]}", flush=True)

        def report(epoch: int, steps: int, loss: float, accuracy: float) -> None:
            print(f"epoch {epoch}/{opts.epochs} step {steps} loss {loss:.4f} "
                  f"accuracy {accuracy:.3f}", flush=True)  # fmt: skip
            time.sleep(max(0.0, opts.epoch_pause))

        model, loss, accuracy, steps = train(pairs, opts.epochs, opts.rate, opts.seed, report)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return EXIT_BAD_INPUT
    metadata: dict[str, object] = {
        "name": opts.out.name, "format": FORMAT, "dataset_sha256": sha, "examples": len(pairs),
        "answers": len(model.answers), "epochs": opts.epochs, "steps": steps,
        "loss": round(loss, 6), "accuracy": round(accuracy, 4), "seed": opts.seed,
        "seconds": round(time.monotonic() - started, 3),
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }  # fmt: skip
    save(model, opts.out, metadata)
    print(f"saved {opts.out}/model.json: loss {loss:.4f}, accuracy {accuracy:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
