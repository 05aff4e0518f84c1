"""The sample fine-tuning job (finetuning/train.py) and the inference app answering from it."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


train = load("sample_train", ROOT / "finetuning" / "train.py")
app = load("sample_app", ROOT / "inference" / "app.py")
PAIRS = [
    ("how do I deploy my code", "deploy"),
    ("push my changes to the app", "deploy"),
    ("how do I start fine-tuning", "run"),
    ("run the fine-tuning job", "run"),
    ("show the streaming logs", "logs"),
    ("follow the job output", "logs"),
]


@pytest.mark.parametrize(
    "text", ["How do I deploy my code?", "", "Where's the model?", "a b c d e f g"]
)
def test_the_app_computes_the_trainers_features(text: str) -> None:
    assert set(train.features(text)) == app.features(text)


def test_training_lowers_the_loss_and_fits_the_examples() -> None:
    losses: list[float] = []
    model, loss, accuracy, steps = train.train(
        PAIRS, 20, 0.3, 7, lambda e, s, lo, a: losses.append(lo)
    )
    assert losses[-1] < losses[0] / 5 and loss == losses[-1]
    assert accuracy == 1.0 and steps == 20 * len(PAIRS)
    probs = model.scores(train.features("deploy my code please"))
    assert model.answers[probs.index(max(probs))] == "deploy"


def test_training_is_deterministic() -> None:
    first = train.train(PAIRS, 5, 0.3, 7)
    again = train.train(PAIRS, 5, 0.3, 7)
    assert first[0].weights == again[0].weights and first[1] == again[1]


def test_one_answer_is_not_enough() -> None:
    with pytest.raises(train.BadInput, match="need at least 2"):
        train.train([("q", "a"), ("q2", "a")], 1, 0.3, 7)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"question": "q"}\n', "qa.jsonl:1: expected a non-empty string 'answer'"),
        ('{"question": "q", "answer": "a"}\nnot json\n', "qa.jsonl:2: not JSON"),
        ('["q", "a"]\n', "qa.jsonl:1: expected a non-empty string 'question'"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "qa.jsonl").write_text(content)
    with pytest.raises(train.BadInput, match=message):
        train.read_dataset(tmp_path)


def test_the_dataset_hash_covers_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"question": "q", "answer": "a"}\n')
    _, first = train.read_dataset(tmp_path)
    (tmp_path / "a.jsonl").write_text('{"question": "q", "answer": "b"}\n')
    _, second = train.read_dataset(tmp_path)
    assert first != second and len(first) == 64


def test_the_shipped_dataset_trains_to_a_useful_model() -> None:
    pairs, _ = train.read_dataset(ROOT / "dataset")
    assert len(pairs) >= 150 and len({a for _, a in pairs}) >= 10
    model, loss, accuracy, _ = train.train(pairs, 30, 0.3, 7)
    assert accuracy >= 0.95 and loss < 0.1
    probs = model.scores(train.features("how can i see the logs of my training"))
    assert "finetune logs" in model.answers[probs.index(max(probs))]


def test_the_app_answers_from_the_trained_model_and_says_so(tmp_path: Path) -> None:
    model, loss, _, steps = train.train(PAIRS, 20, 0.3, 7)
    folder = tmp_path / "qa-classifier"
    train.save(model, folder, {"name": "qa-classifier", "examples": 6, "steps": steps,
                               "loss": round(loss, 4)})  # fmt: skip
    tuned = app.FineTuned(folder)
    current = tuned.current()
    assert current is not None
    answer, confidence = current.answer("please deploy my code")
    assert answer == "deploy" and confidence > 0.5
    assert current.describe()["steps"] == steps
    said = app.reply_to([{"role": "user", "content": "please deploy my code"}], tuned)
    assert said.startswith("deploy [answered by the fine-tuned model qa-classifier - trained on")


def test_without_a_model_the_app_keeps_its_greeting(tmp_path: Path) -> None:
    absent = app.FineTuned(tmp_path / "absent")
    assert absent.current() is None
    assert app.reply_to([{"role": "user", "content": "hi"}], absent).startswith(app.GREETING)


def test_a_half_written_model_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "metadata.json").write_text(json.dumps({"name": "m"}))
    (folder / "model.json").write_text('{"answers": ["a"')
    assert app.FineTuned(folder).current() is None


def test_a_new_run_replaces_the_model_the_app_uses(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    first, *_ = train.train(PAIRS, 20, 0.3, 7)
    train.save(first, folder, {"name": "m", "steps": 1})
    tuned = app.FineTuned(folder)
    assert tuned.current() is not None and tuned.answer("deploy my code")[0] == "deploy"
    renamed = [(q, a.upper()) for q, a in PAIRS]
    second, *_ = train.train(renamed, 20, 0.3, 7)
    train.save(second, folder, {"name": "m", "steps": 2, "note": "second run"})
    assert tuned.current() is not None and tuned.answer("deploy my code")[0] == "DEPLOY"
