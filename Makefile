# exam-engine: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := exam_engine

.PHONY: run test lint typecheck bench system-deps install translations messages db clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	@if ls exam_engine/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d exam_engine/translations; fi

# After changing user-facing strings: extract them and merge into the catalogues.
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k ngettext:1,2 \
		--no-location --sort-output -o exam_engine/translations/messages.pot exam_engine
	$(BIN)/pybabel -q update --no-fuzzy-matching -i exam_engine/translations/messages.pot \
		-d exam_engine/translations

# The instance folder holds the secret key and the SQLite database: readable by its owner only.
instance/config.py:
	umask 077; mkdir -p instance && \
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}'); \
	print(\"BASE_URL = 'http://127.0.0.1:5000'\")" > $@

db: install instance/config.py
	umask 077; $(BIN)/exam-engine db upgrade && $(BIN)/exam-engine demo

run: db
	$(BIN)/exam-engine run --host 127.0.0.1 --port 5000

# Chromium (browser tests), PostgreSQL (the second engine) and Redis (the task queue's broker)
# from Debian's packages; the tests start their own servers in temporary folders.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: install
	$(BIN)/ruff check exam_engine tests
	$(BIN)/mypy exam_engine/grading exam_engine/banks exam_engine/services

test: install system-deps lint
	$(BIN)/exam-engine banks validate question_banks
	$(BIN)/exam-engine banks test question_banks
	$(BIN)/pytest -q -p no:cacheprovider -n 2

bench: install system-deps
	$(BIN)/python tests/benchmarks/grading.py
	$(BIN)/python tests/benchmarks/echo.py
	$(BIN)/python tests/benchmarks/echo_settings.py
	$(BIN)/python tests/benchmarks/analytics.py
	$(BIN)/python tests/benchmarks/sitting.py
	$(BIN)/python tests/benchmarks/committee.py
	$(BIN)/python tests/benchmarks/save_profile.py
	$(BIN)/python tests/benchmarks/deadline.py
	$(BIN)/python tests/benchmarks/invitations.py
	$(BIN)/python tests/benchmarks/mail.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
