# teamf.platform — the two commands users need are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-nodeps.txt requirements-checkov.txt | md5sum | cut -c1-12)

# The demo emulator and the test emulators are separate processes, so tests never touch demo state.
DEMO_PORT ?= 4566
# One Kubernetes API stand-in per EKS environment (inventories/local points each one's releases at it).
DEMO_KUBE_PORTS ?= 8001 8002
# The registry stand-in images are pushed to (bound to the demo emulator's ECR).
DEMO_REGISTRY_PORT ?= 5000
# The release the demo cuts from this checkout's build (a version per commit, so a rerun is a no-op).
DEMO_RELEASE ?= 0.0.0-demo.$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unversioned)
# Debian packages the image builds need (buildah builds without a daemon; skopeo; a static busybox the
# example backend's images are made of).
SYSTEM_PACKAGES := buildah skopeo busybox-static
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup demo demo-down emulator-up summary test lint unit emulator-test integration molecule clean docs sanity

help:  ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The stamp's name is the lock files' hash: no file-time prerequisites (a fresh copy of the checkout
# must not reinstall).
$(STAMP):
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else echo "setup: install the Debian packages $$missing (sudo apt-get install $$missing), then rerun" >&2; exit 1; fi; \
	  fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m emulator.kube install-tools --dest $(BIN)
	@# checkov pins packages the main lock pins differently: its own venv (tests/kube/test_charts.py runs it).
	@test -x $(VENV)/tools/checkov/bin/python || $(PYTHON) -m venv $(VENV)/tools/checkov
	$(VENV)/tools/checkov/bin/python -m pip install --quiet -r requirements-checkov.txt
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)  ## create .venv with the pinned toolchain

emulator-up: setup  ## start the demo emulator, registry and Kubernetes stand-ins (no-op when running)
	TEAMF_EMULATOR_REGISTRY_URL=http://127.0.0.1:$(DEMO_REGISTRY_PORT) $(BIN)/python -m emulator start --port $(DEMO_PORT)
	$(BIN)/python -m emulator.registry start --port $(DEMO_REGISTRY_PORT) --ecr-endpoint http://127.0.0.1:$(DEMO_PORT)
	@# Each stand-in plays aws-for-fluent-bit: its pods' container logs go to the emulator's CloudWatch Logs.
	for port in $(DEMO_KUBE_PORTS); do \
	  $(BIN)/python -m emulator.kube start --port $$port --aws-endpoint http://127.0.0.1:$(DEMO_PORT); done

# The demo's knobs reach the inventory (inventories/local/group_vars/emulator.yml reads these), and its
# release manifests go to .demo/releases so the checkout's releases/ stays as committed.
demo: export TEAMF_TEST_ENDPOINT = http://127.0.0.1:$(DEMO_PORT)
demo: export TEAMF_TEST_REGISTRY_ENDPOINT = 127.0.0.1:$(DEMO_REGISTRY_PORT)
demo: export TEAMF_TEST_KUBE_ENDPOINT_STAGING = http://127.0.0.1:$(word 1,$(DEMO_KUBE_PORTS))
demo: export TEAMF_TEST_KUBE_ENDPOINT_PROD = http://127.0.0.1:$(word 2,$(DEMO_KUBE_PORTS))
demo: export TEAMF_RELEASES_DIR = $(CURDIR)/.demo/releases
demo: export TEAMF_BUILD_STORAGE = $(CURDIR)/.demo/buildah
demo: emulator-up  ## converge dev+staging+prod, build the example backend, dev runs it, release to staging, promote to prod
	@mkdir -p .demo/releases && cp -n releases/*.yml .demo/releases/
	$(BIN)/ansible-playbook site.yml -i inventories/local
	$(BIN)/ansible-playbook playbooks/build.yml -i inventories/local -e build_output=$(CURDIR)/.demo/images.json
	$(BIN)/ansible-playbook playbooks/redeploy.yml -i inventories/local -e images_file=$(CURDIR)/.demo/images.json
	$(BIN)/ansible-playbook playbooks/release.yml -i inventories/local -e version=$(DEMO_RELEASE) -e build_output=$(CURDIR)/.demo/images.json
	$(BIN)/ansible-playbook playbooks/deploy.yml -i inventories/local --limit staging -e release=$(DEMO_RELEASE)
	$(BIN)/ansible-playbook playbooks/promote.yml -i inventories/local -e release=$(DEMO_RELEASE)
	$(BIN)/ansible-playbook playbooks/summary.yml -i inventories/local

summary: export TEAMF_TEST_ENDPOINT = http://127.0.0.1:$(DEMO_PORT)
summary: export TEAMF_TEST_REGISTRY_ENDPOINT = 127.0.0.1:$(DEMO_REGISTRY_PORT)
summary: export TEAMF_TEST_KUBE_ENDPOINT_STAGING = http://127.0.0.1:$(word 1,$(DEMO_KUBE_PORTS))
summary: export TEAMF_TEST_KUBE_ENDPOINT_PROD = http://127.0.0.1:$(word 2,$(DEMO_KUBE_PORTS))
summary: setup  ## print what exists per environment (demo emulator)
	$(BIN)/ansible-playbook playbooks/summary.yml -i inventories/local

demo-down: setup  ## stop the demo emulator, registry and Kubernetes stand-ins (their state goes with them)
	$(BIN)/python -m emulator.registry stop --port $(DEMO_REGISTRY_PORT)
	$(BIN)/python -m emulator stop --port $(DEMO_PORT)
	for port in $(DEMO_KUBE_PORTS); do $(BIN)/python -m emulator.kube stop --port $$port; done
	rm -rf .demo

test: setup lint unit emulator-test  ## every linter and test (what CI runs)
	@# The playbook-heavy suites mostly wait on simulated AWS time: run them side by side, each one's
	@# output printed whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target integration molecule

lint: setup lint-workflows sanity  ## ruff, yamllint, ansible-lint (production profile), actionlint, zizmor, ansible-test sanity
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production

sanity: setup  ## ansible-test sanity on the collection artifact (tests/sanity/ignore-*.txt: the exceptions, with reasons)
	$(BIN)/python tools/sanity.py

docs: setup  ## regenerate role READMEs' variable tables and docs/architecture.svg (from the inventories)
	$(BIN)/python tools/role_docs.py
	$(BIN)/python tools/architecture.py

unit: setup  ## filter and module_utils unit tests (no emulator)
	$(BIN)/pytest -n 2 tests/unit

emulator-test: setup  ## the emulator's fidelity fixes, over HTTP with boto3
	$(BIN)/pytest -n 2 tests/emulator

integration: setup  ## site.yml, teardown, bad inputs, modules, build/release, the Kubernetes stand-in, the workflows (act)
	@# loadfile: a module's tests share one worker (and its module-scoped estate), in their written order.
	$(BIN)/pytest -n 2 --dist loadfile --durations=40 tests/integration tests/kube tests/pipelines

molecule: setup  ## molecule scenarios against a private emulator on a free port
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	  kube_port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	  $(BIN)/python -m emulator start --port $$port; \
	  trap "$(BIN)/python -m emulator stop --port $$port; $(BIN)/python -m emulator.kube stop --port $$kube_port" EXIT; \
	  $(BIN)/python -m emulator.kube start --port $$kube_port --ready-delay 0.2; \
	  TEAMF_TEST_ENDPOINT=http://127.0.0.1:$$port TEAMF_TEST_KUBE_ENDPOINT=http://127.0.0.1:$$kube_port \
	    $(BIN)/molecule test --all

clean:  ## remove the venv and caches (stops the demo emulator first)
	-$(BIN)/python -m emulator.registry stop --port $(DEMO_REGISTRY_PORT)
	-$(BIN)/python -m emulator stop --port $(DEMO_PORT)
	-for port in $(DEMO_KUBE_PORTS); do $(BIN)/python -m emulator.kube stop --port $$port; done
	rm -rf $(VENV) .emulator .demo .ansible .pytest_cache .ruff_cache build

include mk/pipelines.mk
include mk/ops.mk
