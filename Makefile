# The two commands a new user runs: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate seed serve lint format check clean messages

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PY)）"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# axe-core for the browser tests' accessibility checks (package.json); skipped without npm.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "未找到 npm：跳过 axe-core，浏览器测试中的无障碍检查将跳过"; fi

# Development settings for `make run`: a fresh random SECRET_KEY, debug on, portals on port 8000.
.env: | $(STAMP)
	@$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@printf 'DEBUG=1\nPORTAL_PORT=8000\nWAGTAILADMIN_BASE_URL=http://localhost:8000\n' >> .env
	@$(BIN)/python -c "import secrets; [print(n + '=' + secrets.token_hex(16)) for n in ('PII_SM4_KEY', 'PII_INDEX_KEY', 'CASE_WEBHOOK_SECRET', 'CASE_SYSTEM_SECRET')]" >> .env
	@echo "wrote .env (development settings with a fresh SECRET_KEY)"

migrate: install .env
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_portals --demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install $(NODE_STAMP)
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Recompile the project's own translations (needs GNU gettext's msgfmt; the .mo files are committed).
messages:
	for po in */locale/*/LC_MESSAGES/django.po; do msgfmt -o "$${po%.po}.mo" "$$po"; done

clean:
	rm -rf $(VENV) db.sqlite3 media static_collected

# The APP API's OpenAPI document kept in the repository (docs/app-openapi.json).
.PHONY: app-openapi
app-openapi: install
	$(BIN)/python manage.py app_openapi
