# The two commands of the README: `make run` and `make test`. Both need only python3.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run index test lint bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# torch first, pinned: this machine has the CPU build on disk; anything else fetches CUDA.
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	# The ONNX exports of the packaged model and of the answer verifier, made once per machine and weights
	# (cached, see README).
	$(PY) -m rag.index.embedder
	$(PY) -m rag.answering.verifier
	touch $(STAMP)

install: $(STAMP)

index: install
	$(VENV)/bin/clusterqa ingest

run: index
	$(VENV)/bin/clusterqa serve

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check rag ingest ui tests bench scripts
	$(VENV)/bin/mypy rag ingest ui

bench: install
	$(PY) bench/bench_ingest.py
	$(PY) bench/bench_ingest.py --generate 2000 --repeats 3 --llama-index
	$(PY) bench/bench_query.py
	$(PY) bench/bench_query_scale.py --repeats 3
	$(PY) bench/bench_serve.py --repeats 3
	$(PY) bench/bench_first_answer.py --repeats 7

clean:
	rm -rf $(VENV) .clusterqa
