# The two commands: `make run` (the whole system locally) and `make test` (set-up, then every test tier).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements-dev.lock | sha1sum | cut -c1-12)
APT_PACKAGES := postgresql rabbitmq-server chromium python3-venv nodejs npm
OIDC_PROVIDER := tools/oidc-provider
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run stop test test-unit test-cluster test-dates test-deploy image setup system-packages docs lint bench clean audit lock

setup: system-packages $(STAMP) $(OIDC_PROVIDER)/node_modules/.package-lock.json

# Debian packages the local servers and browser tests need (root on a fresh machine; skipped when present).
system-packages:
	@missing=""; \
	[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing="$$missing rabbitmq-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	python3 -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  (service rabbitmq-server stop || true) >/dev/null 2>&1; \
	fi

# Every package, the build backend and pip itself from the lock, each checked against its hashes; then
# the project alone, editable, built with the locked setuptools (no unhashed download for the build).
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes -r requirements-dev.lock
	$(VENV)/bin/pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*; touch $(STAMP)

# The local OpenID provider (panva's oidc-provider on Debian's Node) from its lock file, checked by npm.
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --quiet

# Known vulnerabilities in the locked packages (PyPI's advisory feed); fails on any.
audit: $(STAMP)
	$(PY) tools/audit_dependencies.py requirements.lock requirements-dev.lock

# Re-make the hashed lock files after changing a pin in pyproject.toml (needs the package index).
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
	--strip-extras --allow-unsafe --all-build-deps
lock: $(STAMP)
	$(LOCK) --output-file requirements.lock pyproject.toml
	$(LOCK) --extra dev --output-file requirements-dev.lock pyproject.toml

run: setup
	$(PY) -m shared.cli dev up

stop:
	$(PY) -m shared.cli dev stop

test: setup audit
	$(PY) -m shared.cli dev servers
	$(VENV)/bin/pytest -m unit -q
	$(VENV)/bin/pytest -m "not unit and not cluster and not image" -q

# The cluster tier (tests/cluster/): three RabbitMQ nodes, a PostgreSQL primary with a synchronous standby,
# two replicas of each service, and a broker node killed, a rolling restart and a database failover, each
# mid-burst. Its own target: over 10 minutes here (see docs/operations.md). CLUSTER_BURST=5000 as in #24.
CLUSTER_BURST ?= 5000
test-cluster: setup
	SELVHJELP_CLUSTER_BURST=$(CLUSTER_BURST) $(VENV)/bin/pytest -m cluster -q -s tests/cluster

# The date-sensitive tiers as if on each date that used to break them (a week, both daylight-saving changes,
# New Year's Eve, 17 May, Christmas Eve), servers included, under libfaketime. Long; not part of `make test`.
# `make test-dates DATES=dst` runs only the dates whose label contains "dst".
test-dates: setup
	@command -v faketime >/dev/null || { echo "installing: faketime"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
	$(PY) -m tests.support.date_runs --only "$(DATES)"

# The container image from deploy/Dockerfile with podman (or Docker when an engine answers), offline when need
# be: the locked wheels fetched on the host, a Debian base made by mmdebstrap when no registry answers.
image: setup
	VENV=$(VENV) deploy/image/build.sh

# The image run as the deployment runs it (the migration job, one replica of each service, a registration
# through to an invitation). Not in `make test`: building the image takes about six minutes here.
test-deploy: image
	$(PY) -m shared.cli dev servers
	$(VENV)/bin/pytest -m image -q

test-unit: $(STAMP)
	$(VENV)/bin/pytest -m unit -q

docs: $(STAMP)
	$(PY) -m shared.cli asyncapi generate
	$(PY) -m shared.cli openapi generate

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The grouping planner's section first, then the speed proofs' one table (medians, limits, ratios,
# targets). `make bench BENCH_ARGS=--quick` for a short development run.
bench: setup
	$(PY) -m shared.cli dev servers
	$(PY) bench/grouping.py
	$(PY) bench/speed.py $(BENCH_ARGS)

clean:
	-$(PY) -m shared.cli dev stop
	-$(PY) -c 'from shared.local_servers import stop_local_servers, remove_postgres_data as rm, DEFAULT_RUN_DIR as d; stop_local_servers(); rm(d)'
	rm -rf .run
