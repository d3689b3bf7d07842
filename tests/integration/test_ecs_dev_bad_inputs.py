"""Broken ECS definitions fail site.yml's validation, naming the variable and the fix, before any AWS mutation.

Each case is an inventory shaped like inventories/local with one ECS host 'broken': the shared service
list (or a change to it) and a copy of dev's compose files (or a change to them). The emulator counts
every request; a case passes only if none of them could have changed anything.
"""

import json
import shutil

import pytest
import yaml

from emulator.faults import call_endpoint
from tests.conftest import REPO_ROOT
from tests.integration.conftest import mutating_requests

SHARED = REPO_ROOT / "inventories" / "shared" / "group_vars"
DEV_FILES = REPO_ROOT / "inventories" / "dev" / "files" / "dev"
SERVICES = yaml.safe_load((SHARED / "ecs_environments.yml").read_text())["ecs_dev_services"]
COMPOSE = (DEV_FILES / "docker-compose.yml").read_text()
PARAMS = (DEV_FILES / "ecs-params.yml").read_text()


def make_inventory(tmp_path, broken: dict, compose=COMPOSE, params=PARAMS):
    """inventories/local's shape with one ECS host 'broken': host_vars override the shared definition."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    files = tmp_path / "files" / "broken"
    files.mkdir(parents=True)
    (files / "docker-compose.yml").write_text(compose)
    (files / "ecs-params.yml").write_text(params)
    for name in ("all.yml", "ecs_environments.yml"):
        (tmp_path / "group_vars" / name).symlink_to(SHARED / name)
    shutil.copy(REPO_ROOT / "inventories" / "local" / "group_vars" / "emulator.yml", tmp_path / "group_vars")
    host = {"platform_env": "broken", "vpc_cidr": "10.40.0.0/16", **broken}
    (tmp_path / "host_vars" / "broken.yml").write_text(yaml.safe_dump(host))
    groups = {"ecs_environments": {"hosts": {"broken": None}}, "emulator": {"children": {"ecs_environments": None}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": groups}}))
    return tmp_path


def services_with(**changes):
    """The shared service list with entries replaced or added by name."""
    by_name = {s["name"]: s for s in SERVICES}
    by_name.update(changes)
    return list(by_name.values())


def replaced(text, old, new, count=1):
    assert old in text, f"{old!r} is not in dev's file any more; update the case"
    return text.replace(old, new, count)


def line_of(text, needle, occurrence=1):
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


# A compose file's service block, to duplicate.
REDIS_BLOCK = COMPOSE[COMPOSE.index("  redis:\n") :]
AUTH_IMAGE = "    image: ${ECR_REGISTRY}/${ECR_NAMESPACE}/auth-api:latest\n"

DUPLICATE_SERVICE = COMPOSE + REDIS_BLOCK.replace("7.4-alpine", "7.2-alpine")
DUPLICATE_KEY = replaced(COMPOSE, AUTH_IMAGE, AUTH_IMAGE + "    mem_limit: 256m\n")
MISSPELT_KEY = replaced(COMPOSE, "      REDIS_URL:", "      REDIS_URL:").replace(
    '    environment:\n      PORT: "9000"', '    enviroment:\n      PORT: "9000"'
)
BAD_INDENT = replaced(COMPOSE, "    mem_limit: 256m\n    read_only: true", "    mem_limit: 256m\n     read_only: true")
BAD_MEMORY = replaced(COMPOSE, "    mem_limit: 256m\n    read_only", "    mem_limit: lots\n    read_only")
PARAMS_UNKNOWN_SERVICE = PARAMS + "  services:\n    auth-sever:\n      essential: true\n"
PARAMS_BAD_CPU = PARAMS + "  services:\n    redis:\n      cpu_shares: half\n"
PARAMS_MISSPELT = PARAMS.replace("  task_execution_role:", "  task_execution_rol:")


def compose_file(inventory):
    return f"ecs_dev_compose_file {inventory / 'files' / 'broken' / 'docker-compose.yml'}"


def params_file(inventory):
    return f"ecs_dev_ecs_params_file {inventory / 'files' / 'broken' / 'ecs-params.yml'}"


# (inventory changes, compose text, ecs-params text, fragments(inventory) the failure must show)
CASES = [
    pytest.param(
        {"ecs_dev_services": services_with(worker={"name": "worker", "port": 7000})},
        COMPOSE,
        PARAMS,
        lambda inv: [
            f"ecs_dev_services[3].name 'worker': not a service of {compose_file(inv)}",
            "(it defines api-server, auth-server, redis)",
            "add it to the compose file or remove the entry",
        ],
        id="service-not-in-compose",
    ),
    pytest.param(
        {"ecs_dev_services": services_with(redis={"name": "redis", "port": 6379, "ingress_from": ["billing"]})},
        COMPOSE,
        PARAMS,
        lambda inv: ["ecs_dev_services[2].ingress_from (service redis): billing not in ecs_dev_services"],
        id="ingress-from-unknown-service",
    ),
    pytest.param(
        {
            "ecs_dev_services": services_with(
                **{
                    "api-server": {
                        "name": "api-server",
                        "port": 8080,
                        "load_balancer": {"path_patterns": ["/api/*"], "priority": 10, "health_check_path": "/"},
                    }
                }
            )
        },
        COMPOSE,
        PARAMS,
        lambda inv: [
            "ecs_dev_services[1].load_balancer.priority 10 (service api-server): also the priority of auth-server",
            "must be unique, pick another",
        ],
        id="clashing-rule-priorities",
    ),
    pytest.param(
        {"ecs_dev_name": "teamf-development-sandbox"},
        COMPOSE,
        PARAMS,
        lambda inv: ["ecs_dev_name 'teamf-development-sandbox'", "must be 1-20 lowercase letters"],
        id="long-name",
    ),
    pytest.param(
        {"ecs_dev_compose_file": "/nonexistent/docker-compose.yml"},
        COMPOSE,
        PARAMS,
        lambda inv: [
            "ecs_dev_compose_file: /nonexistent/docker-compose.yml does not exist",
            "create it or point ecs_dev_compose_file at the file",
        ],
        id="missing-compose-file",
    ),
    pytest.param(
        {},
        DUPLICATE_SERVICE,
        PARAMS,
        lambda inv: [
            f"{compose_file(inv)}: line {line_of(DUPLICATE_SERVICE, '  redis:', 2)}: duplicate key 'redis' in services "
            f"(first at line {line_of(DUPLICATE_SERVICE, '  redis:')})",
            "remove or merge one",
        ],
        id="duplicate-service",
    ),
    pytest.param(
        {},
        DUPLICATE_KEY,
        PARAMS,
        lambda inv: [
            f"{compose_file(inv)}: line {line_of(DUPLICATE_KEY, 'mem_limit', 3)}: duplicate key 'mem_limit' in "
            f"services.auth-server (first at line {line_of(DUPLICATE_KEY, 'mem_limit', 2)})",
            "remove or merge one",
        ],
        id="duplicate-key-in-service",
    ),
    pytest.param(
        {},
        MISSPELT_KEY,
        PARAMS,
        lambda inv: [
            f"{compose_file(inv)}: line {line_of(MISSPELT_KEY, 'enviroment')}: services.auth-server.enviroment: "
            "unknown key; did you mean 'environment'?"
        ],
        id="misspelt-compose-key",
    ),
    pytest.param(
        {},
        BAD_INDENT,
        PARAMS,
        lambda inv: [
            f"{compose_file(inv)}: not valid YAML at line {line_of(BAD_INDENT, '     read_only')}, column "
            f"{'     read_only:'.index(':') + 1}: mapping values are not allowed here",
            "check the indentation",
        ],
        id="yaml-indentation",
    ),
    pytest.param(
        {"ecs_dev_services": services_with(**{"auth-server": {**SERVICES[0], "port": 9001}})},
        COMPOSE,
        PARAMS,
        lambda inv: [
            f"ecs_dev_services[0].port 9001 (service auth-server): not a port {compose_file(inv)} publishes for "
            "auth-server (it publishes 9000)",
            "set port to 9000, or publish it in the compose file",
        ],
        id="port-mismatch",
    ),
    pytest.param(
        {},
        COMPOSE,
        PARAMS_UNKNOWN_SERVICE,
        lambda inv: [
            f"{params_file(inv)}: line {line_of(PARAMS_UNKNOWN_SERVICE, 'auth-sever')}: "
            f"task_definition.services.auth-sever: not a service of {compose_file(inv)}",
            "did you mean 'auth-server'?",
        ],
        id="ecs-params-unknown-service",
    ),
    pytest.param(
        {},
        COMPOSE,
        PARAMS_MISSPELT,
        lambda inv: [
            f"{params_file(inv)}: line {line_of(PARAMS_MISSPELT, 'task_execution_rol')}: "
            "task_definition.task_execution_rol: unknown key; did you mean 'task_execution_role'?"
        ],
        id="ecs-params-misspelt-key",
    ),
    pytest.param(
        {},
        BAD_MEMORY,
        PARAMS,
        lambda inv: [f"{compose_file(inv)}: service 'redis': mem_limit 'lots': must be a size such as '512m'"],
        id="bad-memory-value",
    ),
    pytest.param(
        {},
        COMPOSE,
        PARAMS_BAD_CPU,
        lambda inv: [
            f"{params_file(inv)}: task_definition.services.redis.cpu_shares 'half': must be a whole number of CPU units"
        ],
        id="bad-cpu-value",
    ),
    pytest.param(
        {"ecs_dev_ecs_params_file": "/nonexistent/ecs-params.yml"},
        COMPOSE,
        PARAMS,
        lambda inv: ["ecs_dev_ecs_params_file: /nonexistent/ecs-params.yml does not exist"],
        id="missing-ecs-params-file",
    ),
]


GATE = "Stop the run when validation failed"  # playbooks/validate.yml's last task: the run stops there


def failed_tasks(run):
    """(task name, message) of every failed check, from the json callback's output (stdout comes first)."""
    document, _ = json.JSONDecoder().raw_decode(run.output)
    return [
        (task["task"]["name"], result.get("msg"))
        for play in document["plays"]
        for task in play["tasks"]
        for result in task["hosts"].values()
        if result.get("failed") and task["task"]["name"] != GATE
    ]


# No reset between cases (it costs seconds each): the emulator's request counters, zeroed first, prove
# that nothing was changed, whatever an earlier test left behind.
@pytest.mark.parametrize(("broken", "compose", "params", "fragments"), CASES)
def test_broken_ecs_definition_fails_before_mutation(tmp_path, playbook, emulator, broken, compose, params, fragments):
    call_endpoint(emulator.url, "DELETE")
    inventory = make_inventory(tmp_path, broken, compose, params)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    for fragment in fragments(inventory):
        assert fragment in run.output, run.output[-3000:]
    assert call_endpoint(emulator.url)["requests"]["total"] > 0  # validation did reach the emulator
    assert mutating_requests(emulator.url) == {}


def test_mutating_requests_counts_changes_not_reads(aws, emulator):
    call_endpoint(emulator.url, "DELETE")
    logs = aws("logs")
    logs.describe_log_groups()
    logs.create_log_group(logGroupName="/teamf-test/mutating-requests")
    aws("sts").get_caller_identity()
    assert mutating_requests(emulator.url) == {"logs": {"CreateLogGroup": 1}}
    logs.delete_log_group(logGroupName="/teamf-test/mutating-requests")


def test_every_problem_is_reported_by_one_check(tmp_path, playbook, emulator):
    """Three mistakes in three places: one failed task whose message lists all three."""
    call_endpoint(emulator.url, "DELETE")
    services = services_with(
        **{"auth-server": {**SERVICES[0], "port": 9001}}, redis={"name": "redis", "port": 6379, "ingress_from": ["x"]}
    )
    inventory = make_inventory(tmp_path, {"ecs_dev_services": services}, COMPOSE, PARAMS_MISSPELT)
    run = playbook("site.yml", inventory)
    assert run.rc != 0
    failed = failed_tasks(run)
    assert [name.rpartition(" : ")[2] for name, _ in failed] == ["Check the services and their compose files"], failed
    problems = failed[0][1]
    assert isinstance(problems, list) and len(problems) == 3, problems
    assert any("ecs_dev_services[0].port 9001 (service auth-server)" in p for p in problems), problems
    assert any("ingress_from (service redis): x not in ecs_dev_services" in p for p in problems), problems
    assert any("task_definition.task_execution_rol: unknown key" in p for p in problems), problems
    assert mutating_requests(emulator.url) == {}
