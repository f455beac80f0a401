# mtaudit: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# The torch build to install; the default is the CPU wheel. Choose another with e.g. `make TORCH="torch==2.14.1" test`.
TORCH  ?= torch==2.13.0
# The model `make demo` and `make test` prepare (see `mtaudit models`).
MODEL  ?= gemma3-270m
CHROMIUM ?= /usr/bin/chromium

.PHONY: help venv model browser demo test bench fuzz mqm-probe norms clean

help:
	@echo "make demo   set up .venv, prepare the model, audit samples/ and write report.html"
	@echo "make test   set up .venv, prepare the model and a browser, run the test suite"
	@echo "make bench  speed benchmarks (figures go to BENCHMARKS.md by hand)"
	@echo "make fuzz   a long property-based fuzz run of readers and detectors"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[dev,ray,openvino]"
	touch $@

venv: $(VENV)/.installed

model: venv
	$(VENV)/bin/mtaudit models pull $(MODEL)

# Debian's Chromium for the report's browser tests (never a downloaded browser build). Needs root or sudo;
# without it the browser tests skip and say why.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "warning: $(CHROMIUM) missing and no root: browser tests will skip"; fi; \
	fi

demo: model
	$(VENV)/bin/mtaudit audit samples/ --html report.html --jsonl report.jsonl --top 10
	@echo "report: $$(pwd)/report.html"

# lint-imports checks the layers (pyproject.toml [tool.importlinter]) before the tests run.
test: model browser
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -n 2 --dist loadfile

# Benchmarks, probes and maintainer tools run as modules from the repository root (bench/, tools/, research/).
bench: model
	$(PY) -m bench.bench_load --stages
	$(PY) -m bench.bench_audit
	$(PY) -m bench.bench_model
	$(PY) -m bench.bench_ray
	$(PY) -m bench.bench_estimator
	$(PY) -m bench.bench_news
	$(PY) -m bench.bench_news --article --out bench/bench_article.json
	$(PY) -m bench.bench_watch
	$(PY) -m bench.flops

# Model measurements that read ../shared (the development data): the MQM ranking probe and refitting surprisal norms.
mqm-probe: model
	$(PY) -m tools.probes.mqm_probe --items 120

# The shipped norms were refitted this way: the frequency bands the risk models were calibrated with are kept (drop
# --keep-bands to refit them too, then recalibrate the risk models), only the run thresholds are derived again.
norms: model
	$(PY) -m tools.fit_norms fit $(MODEL) --lang en --keep-bands
	$(PY) -m tools.fit_norms fit $(MODEL) --lang de --lines 4000 --keep-bands

# FUZZ_INPUTS and FUZZ_DETECTOR_INPUTS shorten the run (e.g. `make fuzz FUZZ_INPUTS=200 FUZZ_DETECTOR_INPUTS=50`).
FUZZ_INPUTS ?= 100000
FUZZ_DETECTOR_INPUTS ?= 10000
fuzz: venv
	$(PY) -m tools.fuzz --inputs $(FUZZ_INPUTS) --seed 2
	$(PY) -m tools.fuzz --inputs $(FUZZ_DETECTOR_INPUTS) --seed 3 --detectors

clean:
	rm -rf $(VENV) report.html report.jsonl .pytest_cache test-artifacts

# README.md's sample output, printed again with the default model (tests/integration/test_readme.py checks it).
.PHONY: readme-output
readme-output: model
	$(PY) -m tools.readme_output
