# Day-2 operations: the same commands on every environment, ECS (dev) or EKS (staging, prod), against
# AWS (the default inventory is the environment's own) or the demo (INVENTORY=inventories/local):
#
#   make status   ENV=dev                                  what runs, and whether it is healthy (read-only)
#   make status   ENV=dev INVENTORY=inventories/local      the same, on the demo's emulators
# (each command's usage is in README "Day-2 operations"; the targets are added below, one per command)
#
# On the demo the ports are the demo's knobs (DEMO_PORT, DEMO_KUBE_PORTS, DEMO_REGISTRY_PORT), unless the
# caller already exported an endpoint (the tests aim at private emulators that way).

ENV ?=
OPS_TARGETS := status logs exec history rollback drift
$(OPS_TARGETS): INVENTORY ?= inventories/$(ENV)
$(OPS_TARGETS): export TEAMF_TEST_ENDPOINT ?= http://127.0.0.1:$(DEMO_PORT)
$(OPS_TARGETS): export TEAMF_TEST_REGISTRY_ENDPOINT ?= 127.0.0.1:$(DEMO_REGISTRY_PORT)
$(OPS_TARGETS): export TEAMF_TEST_KUBE_ENDPOINT_STAGING ?= http://127.0.0.1:$(word 1,$(DEMO_KUBE_PORTS))
$(OPS_TARGETS): export TEAMF_TEST_KUBE_ENDPOINT_PROD ?= http://127.0.0.1:$(word 2,$(DEMO_KUBE_PORTS))
$(OPS_TARGETS): export TEAMF_RELEASES_DIR ?= $(if $(filter inventories/local,$(INVENTORY)),$(CURDIR)/.demo/releases,$(CURDIR)/releases)

# $(call ops_env): stop before any playbook runs when ENV is missing or names no inventory.
ops_env = test -n "$(ENV)" || { echo "make $@: ENV=<dev|staging|prod> is required" >&2; exit 2; }; \
  for inventory in $(INVENTORY); do test -e $$inventory || { echo "make $@: inventory $$inventory does not exist (ENV=$(ENV)); pass INVENTORY=inventories/<name> or ENV=<dev|staging|prod>" >&2; exit 2; }; done

.PHONY: $(OPS_TARGETS)

# --- status and logs: read-only (playbooks/ops/status.yml, logs.yml). SERVICE and SINCE reach the playbooks
# through the environment; FOLLOW hands the log sources to tools/follow_logs.py through a private file.
status: export OPS_SERVICE = $(SERVICE)
status: setup  ## what runs on ENV and whether it is healthy, per service [SERVICE=<service>]
	@$(call ops_env)
	$(BIN)/ansible-playbook playbooks/ops/status.yml -i $(INVENTORY) -e ops_env=$(ENV)

logs: export OPS_SERVICE = $(SERVICE)
logs: export OPS_SINCE = $(or $(SINCE),10m)
logs: setup  ## a service's recent log events: make logs ENV=dev SERVICE=api-server [SINCE=10m] [FOLLOW=1]
	@$(call ops_env)
	@handoff=$$(mktemp -d); trap 'rm -rf "$$handoff"' EXIT; \
	  $(BIN)/ansible-playbook playbooks/ops/logs.yml -i $(INVENTORY) -e ops_env=$(ENV) \
	    $(if $(FOLLOW),-e ops_logs_handoff=$$handoff/follow.json); \
	  $(if $(FOLLOW),$(BIN)/python tools/follow_logs.py $$handoff/follow.json,true)

# --- exec: a shell in a service's container (playbooks/ops/exec.yml). The playbook checks the request and opens
# the ECS Exec session; the Session Manager plugin needs the terminal, so the session comes back here through a
# private file (tools/exec_handoff.py), or the playbook prints the command to run (EKS; no plugin).
exec: export OPS_SERVICE = $(SERVICE)
exec: export OPS_COMMAND = $(or $(CMD),/bin/sh)
exec: setup  ## a shell in a service's container: make exec ENV=dev SERVICE=api-server [CMD=/bin/sh]
	@$(call ops_env)
	@handoff=$$(mktemp -d); trap 'rm -rf "$$handoff"' EXIT; \
	  $(BIN)/ansible-playbook playbooks/ops/exec.yml -i $(INVENTORY) -e ops_env=$(ENV) -e ops_exec_handoff=$$handoff/session.json; \
	  $(BIN)/python tools/exec_handoff.py $$handoff/session.json

# --- drift: site.yml in check mode for ENV (tools/drift.py: exit 0 no drift, 2 drift with the diff, 1 error). make
# itself exits 2 for any failed recipe, so make drift is 0 or 2, the last line saying which; CI calls the tool.
drift: setup  ## check ENV against its inventory (tools/drift.py exits 0 no drift, 2 drift with the diff, 1 error)
	@$(call ops_env)
	@$(BIN)/python tools/drift.py --env $(ENV) --inventory $(INVENTORY)

# The deploy history (DynamoDB, platform_history_table): every redeploy, deploy, promotion and rollback
# the playbooks made, newest first. Read-only.
history: setup  ## ENV's deploy history, newest first: when, who, what, from → to, result [LIMIT=20]
	@$(call ops_env)
	$(PLAYBOOK) playbooks/ops/history.yml -e env=$(ENV) $(if $(LIMIT),-e limit=$(LIMIT))

# Back to what ran before ENV's last deploy (or TO=<history event id | ECS revision | EKS release>),
# under the account guard and the environment's lock, recorded in the history.
rollback: setup  ## put ENV back on what ran before its last deploy [TO=<event id|revision|release>]
	@$(call ops_env)
	$(PLAYBOOK) playbooks/ops/rollback.yml -e env=$(ENV) $(if $(TO),-e to=$(TO))
