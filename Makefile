# Everything runs from .venv, which every target creates when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
# Pytest workers: 2 cores here and in CI.
PYTEST_WORKERS ?= 2

.PHONY: test lint typecheck unit functional bench fidelity fidelity-engine fidelity-files fidelity-golden fidelity-az demo provision plan deploy status logs finetune clean localcloud-stop venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check orchestrator localcloud

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit -n $(PYTEST_WORKERS)

functional: $(STAMP)
	$(BIN)/pytest tests/functional -n $(PYTEST_WORKERS)

test: lint typecheck $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# Every benchmark, full size (about an hour; the first run installs the pinned az CLI under
# ~/.cache/orchestrator-bench); each writes bench/out/<name>.json. A missed target is
# reported (exit 1) without stopping the others. The --quick forms run in
# tests/bench_smoke/ as a smoke test.
bench: $(STAMP)
	-$(BIN)/python bench/startup.py
	-$(BIN)/python bench/localcloud.py
	-$(BIN)/python bench/completion.py
	-$(BIN)/python bench/completion.py --latency-ms 30 --out bench/out/completion-30ms.json
	-$(BIN)/python bench/sync.py
	-$(BIN)/python bench/netsync.py
	-$(BIN)/python bench/largefile.py
	-$(BIN)/python bench/walls.py
	-$(BIN)/python bench/provision_az.py
	-@for f in $(wildcard bench/finetune*.py); do echo "$(BIN)/python $$f"; $(BIN)/python "$$f"; done

# The template engine over the Bicep repository's compiled corpus and real-engine
# expectations (docs/fidelity.md). BICEP=<checkout or git dir of Azure/bicep> reads a local
# copy; without it the repository is cloned.
fidelity-engine: $(STAMP)
	$(BIN)/python fidelity/engine_corpus.py $(if $(BICEP),--bicep $(BICEP))

# The azure-storage-file-share package's own tests, live against a private localcloud, in a
# virtual environment of their own under ~/.cache (docs/fidelity.md, Files data plane).
fidelity-files: $(STAMP)
	$(BIN)/python fidelity/files_suite.py

# Golden exchanges (recorded Azure traffic) replayed against localcloud; also part of `make test`.
fidelity-golden: $(STAMP)
	$(BIN)/pytest tests/fidelity -n $(PYTEST_WORKERS)

# The real az CLI (pinned, in its own virtual environment under ~/.cache) against a private
# localcloud: custom-cloud sign-in, the manual fallback and the commands a user types.
fidelity-az: $(STAMP)
	$(BIN)/python fidelity/az_peer.py

fidelity: fidelity-golden fidelity-engine fidelity-files fidelity-az

# The AI Toolkit's two commands, from a terminal. ARGS passes options through,
# e.g. `make provision ARGS="--cloud local --create-resource-group --location eastus"`.
provision: $(STAMP)
	$(BIN)/orchestrator provision $(ARGS)

plan: $(STAMP)
	$(BIN)/orchestrator plan $(ARGS)

deploy: $(STAMP)
	$(BIN)/orchestrator deploy $(ARGS)

status: $(STAMP)
	$(BIN)/orchestrator status $(ARGS)

logs: $(STAMP)
	$(BIN)/orchestrator logs $(ARGS)

# The fine-tuning half: `make finetune ARGS="run --wait"`, `ARGS="logs --follow"`,
# `ARGS="provision --cloud local --create-resource-group -g rg -l eastus"`.
finetune: $(STAMP)
	$(BIN)/orchestrator finetune $(ARGS)

# The toolkit's whole remote flow on localcloud: provision fine-tuning, run a training
# execution, provision inference on the same storage and environment, deploy, ask the app.
demo: $(STAMP)
	$(BIN)/python -m orchestrator.demo

localcloud-stop: $(STAMP)
	$(BIN)/localcloud stop

clean:
	rm -rf $(VENV) .orchestrator .pytest_cache .mypy_cache .ruff_cache build *.egg-info
