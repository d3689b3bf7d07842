# Pipelines: the targets .github/workflows/ run (see docs/pipelines.md). Each is a thin wrapper over one
# playbook, so a workflow step and a person at a terminal do exactly the same thing. Make stops with the
# playbook's exit code, and the playbook's output (the failing task and its message: the ECS service
# events of a rollback, Helm's error after an atomic rollback, the build's log) is already on screen.
#
#   make build          INVENTORY=inventories/dev [COMMIT=<40-hex>] [IMAGES=build/images.json]
#   make redeploy-dev   INVENTORY=inventories/dev [IMAGES=build/images.json]
#   make smoke-dev      INVENTORY=inventories/dev
#   make release        VERSION=1.2.0 [COMMIT=<40-hex>] [IMAGES=build/images.json]
#   make commit-release VERSION=1.2.0 [BRANCH=main]
#   make deploy-staging RELEASE=1.2.0
#   make verify-staging RELEASE=1.2.0
#   make promote        RELEASE=1.2.0
#   make unlock         ENV=prod [INVENTORY=inventories/prod]
# INVENTORY may name several inventories (space-separated); the defaults are the real environments'.
# inventories/local (the emulator) works for every target.

IMAGES ?= build/images.json
COMMIT ?=
VERSION ?=
RELEASE ?=
BRANCH ?= main

build redeploy-dev smoke-dev release: INVENTORY ?= inventories/dev
deploy-staging verify-staging: INVENTORY ?= inventories/staging
promote: INVENTORY ?= inventories/staging inventories/prod
unlock: INVENTORY ?= inventories/$(ENV)

PLAYBOOK = $(BIN)/ansible-playbook $(foreach inventory,$(INVENTORY),-i $(inventory))
# $(call require,NAME,what to pass): stop before any playbook runs when a variable is missing.
require = test -n "$($(1))" || { echo "make $@: $(1)=$(2) is required" >&2; exit 2; }

.PHONY: build redeploy-dev smoke-dev release commit-release deploy-staging verify-staging promote unlock lint-workflows

build: setup  ## build and push the images of COMMIT (default: HEAD); writes IMAGES
	$(PLAYBOOK) playbooks/build.yml -e build_output=$(IMAGES) $(if $(COMMIT),-e commit=$(COMMIT))

redeploy-dev: setup  ## roll dev onto the digests in IMAGES (the build output)
	$(PLAYBOOK) playbooks/redeploy.yml --limit dev -e images_file=$(IMAGES)

smoke-dev: setup  ## dev's ALB routes /auth to healthy targets and GET /auth answers 200
	$(PLAYBOOK) playbooks/smoke.yml --limit dev

release: setup  ## write releases/VERSION.yml from the images of COMMIT (IMAGES when it exists)
	@$(call require,VERSION,<x.y.z>)
	$(PLAYBOOK) playbooks/release.yml -e version=$(VERSION) $(if $(COMMIT),-e commit=$(COMMIT)) \
	  $(if $(wildcard $(IMAGES)),-e build_output=$(IMAGES))

# On the branch's tip, not on the tagged commit (see the script); rerunning with the same file passes.
commit-release:  ## commit releases/VERSION.yml onto BRANCH (default main) and push it
	@$(call require,VERSION,<x.y.z>)
	mk/commit-release.sh $(VERSION) $(BRANCH)

deploy-staging: setup  ## deploy releases/RELEASE.yml to staging (Helm atomic: fails after a rollback)
	@$(call require,RELEASE,<x.y.z>)
	$(PLAYBOOK) playbooks/deploy.yml --limit staging -e release=$(RELEASE)

verify-staging: setup  ## staging runs RELEASE, every workload of the api release ready
	@$(call require,RELEASE,<x.y.z>)
	$(PLAYBOOK) playbooks/verify.yml --limit staging -e release=$(RELEASE)

promote: setup  ## promote RELEASE from staging (running it, ready) to prod
	@$(call require,RELEASE,<x.y.z>)
	$(PLAYBOOK) playbooks/promote.yml -e release=$(RELEASE)

# Only for a run known to be dead: the refusal of the next run names it (README "Locks and the account guard").
unlock: setup  ## remove ENV's platform lock, whoever holds it, and print who did
	@$(call require,ENV,<environment>)
	$(PLAYBOOK) playbooks/unlock.yml --limit $(ENV)

# actionlint runs shellcheck on every run: step (the venv's, through PATH); zizmor audits permissions,
# credentials, pinning and injection offline. Both must report nothing.
lint-workflows: setup  ## actionlint (with shellcheck) and zizmor on .github/workflows
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck
	$(BIN)/zizmor --offline .github/workflows
