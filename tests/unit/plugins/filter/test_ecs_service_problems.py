"""teamf.platform.ecs_service_problems: each rule, each message naming the variable, the value and the fix."""

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.ecs_service_problems import ecs_service_problems

COMPOSE = """\
services:
  web:
    image: ${REGISTRY}/web:1
    ports: ["8080:8080"]
    mem_limit: 512m
  cache:
    image: redis:7
    ports: ["6379"]
    expose: ["7000"]
  dns:
    image: coredns:1
    ports: ["53:53/udp"]
"""
PARAMS = "version: 1\ntask_definition:\n  ecs_network_mode: awsvpc\n"
SERVICES = [
    {"name": "web", "port": 8080, "load_balancer": {"path_patterns": ["/*"], "priority": 10, "health_check_path": "/"}},
    {"name": "cache", "port": 6379, "ingress_from": ["web"]},
]
VARIABLES = {"REGISTRY": "000000000000.dkr.ecr.ap-northeast-2.amazonaws.com"}


@pytest.fixture
def files(tmp_path):
    def write(compose=COMPOSE, params=PARAMS):
        (tmp_path / "docker-compose.yml").write_text(compose)
        (tmp_path / "ecs-params.yml").write_text(params)
        return str(tmp_path / "docker-compose.yml"), str(tmp_path / "ecs-params.yml")

    return write


def check(files, services=None, compose=COMPOSE, params=PARAMS, name="teamf-dev"):
    compose_file, params_file = files(compose, params)
    found = ecs_service_problems(
        SERVICES if services is None else services, name, compose_file, params_file, variables=VARIABLES
    )
    return [p.replace(compose_file, "<compose>").replace(params_file, "<params>") for p in found]


def changed(index, **fields):
    services = copy.deepcopy(SERVICES)
    services[index].update(fields)
    return services


def test_a_consistent_definition_has_no_problems(files):
    assert check(files) == []


def test_several_problems_come_back_together(files):
    services = [*changed(0, port=9090), {"name": "web", "port": 1}]
    found = check(files, services, params=PARAMS + "  task_role: x\n")
    assert len(found) == 3, found


# Cases whose mistake also breaks a second rule, reported as well.
ALSO_REPORTED = {"bad-name": 3, "long-name": 2, "ingress-chain": 2}


@pytest.mark.parametrize(
    ("services", "compose", "params", "expected"),
    [
        pytest.param([], COMPOSE, PARAMS, "ecs_dev_services []: list at least one service", id="empty"),
        pytest.param(
            [{"port": 1}], COMPOSE, PARAMS, "ecs_dev_services[0] {'port': 1}: each entry needs a name", id="no-name"
        ),
        pytest.param(
            changed(0, name="Web_1"),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].name 'Web_1': use lowercase letters, digits and '-'",
            id="bad-name",  # and: not a compose service, and cache's ingress_from names web
        ),
        pytest.param(
            changed(1, name="cache-with-a-very-long-name"),
            COMPOSE,
            PARAMS,
            "'teamf-dev-cache-with-a-very-long-name' has 37 characters, more than the 32 of a target group name; "
            "shorten the service name (at most 22) or ecs_dev_name",
            id="long-name",  # and: not a service of the compose file
        ),
        pytest.param(
            [*SERVICES, SERVICES[1]],
            COMPOSE,
            PARAMS,
            "ecs_dev_services[2].name 'cache': listed twice (also ecs_dev_services[1]); remove one entry",
            id="listed-twice",
        ),
        pytest.param(
            changed(1, port=70000),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[1].port 70000 (service cache): must be the container port, a whole number from 1 to "
            "65535",
            id="port-out-of-range",
        ),
        pytest.param(
            changed(0, load_balancer={"path_patterns": [], "priority": 10, "health_check_path": "/"}),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].load_balancer.path_patterns [] (service web): list the paths",
            id="no-paths",
        ),
        pytest.param(
            changed(0, load_balancer={"path_patterns": ["/*"], "priority": 0, "health_check_path": "/"}),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].load_balancer.priority 0 (service web): must be a whole number from 1 to 50000",
            id="priority-out-of-range",
        ),
        pytest.param(
            changed(0, load_balancer={"path_patterns": ["/*"], "priority": 1, "health_check_path": "health"}),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].load_balancer.health_check_path 'health' (service web): must be a path starting",
            id="relative-health-check-path",
        ),
        pytest.param(
            changed(1, load_balancer={"path_patterns": ["/c"], "priority": 10, "health_check_path": "/"}),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[1].load_balancer.priority 10 (service cache): also the priority of web; ALB listener "
            "rule priorities must be unique",
            id="clashing-priorities",
        ),
        pytest.param(
            changed(1, ingress_from=["wbe"]),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[1].ingress_from (service cache): wbe not in ecs_dev_services (web, cache); "
            "did you mean 'web'?",
            id="ingress-from-unknown",
        ),
        pytest.param(
            changed(0, ingress_from=["cache"]),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].ingress_from (service web): cache has ingress_from itself",
            id="ingress-chain",  # and the same for cache, which names web
        ),
        pytest.param(
            [*SERVICES, {"name": "wbe", "port": 80}],
            COMPOSE,
            PARAMS,
            "ecs_dev_services[2].name 'wbe': not a service of ecs_dev_compose_file <compose> (it defines web, cache, "
            "dns); did you mean 'web'?; add it to the compose file or remove the entry",
            id="not-in-compose",
        ),
        pytest.param(
            changed(0, port=9090),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[0].port 9090 (service web): not a port ecs_dev_compose_file <compose> publishes for web "
            "(it publishes 8080); the target group, its health check and the security group would use 9090: set port "
            'to 8080, or publish it in the compose file (ports: ["9090:9090"])',
            id="port-mismatch-routed",
        ),
        pytest.param(
            changed(1, port=7000),
            COMPOSE,
            PARAMS,
            "ecs_dev_services[1].port 7000 (service cache): not a port ecs_dev_compose_file <compose> publishes for "
            "cache (it publishes 6379; 7000 is under expose, which ECS ignores); the security group would use 7000",
            id="port-only-exposed",
        ),
        pytest.param(
            [*SERVICES, {"name": "dns", "port": 53}],
            COMPOSE,
            PARAMS,
            "(it publishes no port; 53 only as udp, but the load balancer and security group use tcp)",
            id="port-only-udp",
        ),
        pytest.param(
            SERVICES,
            COMPOSE.replace("mem_limit: 512m", "mem_limit: lots"),
            PARAMS,
            "ecs_dev_compose_file <compose>: service 'web': mem_limit 'lots': must be a size",
            id="translation-error",
        ),
        pytest.param(
            SERVICES,
            COMPOSE,
            PARAMS + "  services:\n    cache:\n      cpu_shares: half\n",
            "ecs_dev_ecs_params_file <params>: task_definition.services.cache.cpu_shares 'half': must be a whole "
            "number",
            id="params-translation-error",
        ),
        pytest.param(
            SERVICES,
            COMPOSE.replace("    mem_limit", "    mem_limt"),
            PARAMS,
            "ecs_dev_compose_file <compose>: line 5: services.web.mem_limt: unknown key; did you mean 'mem_limit'?",
            id="loader-problem",
        ),
        pytest.param(
            SERVICES,
            COMPOSE,
            PARAMS + "  services:\n    cahce: {essential: true}\n",
            "ecs_dev_ecs_params_file <params>: line 5: task_definition.services.cahce: not a service of "
            "ecs_dev_compose_file <compose> (it defines web, cache, dns); did you mean 'cache'?",
            id="params-unknown-service",
        ),
        pytest.param(
            SERVICES,
            "services: {}\n",
            PARAMS,
            "ecs_dev_compose_file <compose>: defines no services; list them under 'services:'",
            id="no-services",
        ),
    ],
)
def test_problem(request, files, services, compose, params, expected):
    found = check(files, services, compose, params)
    case = request.node.callspec.id
    assert len(found) == ALSO_REPORTED.get(case, 1) and expected in found[0], found


def test_files_that_do_not_exist(tmp_path):
    found = ecs_service_problems(SERVICES, "teamf-dev", str(tmp_path / "c.yml"), str(tmp_path / "p.yml"))
    assert found == [
        f"ecs_dev_compose_file: {tmp_path / 'c.yml'} does not exist; create it or point ecs_dev_compose_file at "
        "the file",
        f"ecs_dev_ecs_params_file: {tmp_path / 'p.yml'} does not exist; create it or point ecs_dev_ecs_params_file at "
        "the file",
    ]


def test_no_ecs_params_file(files):
    compose_file, _ = files()
    assert ecs_service_problems(SERVICES, "teamf-dev", compose_file, "", variables=VARIABLES) == []


def test_env_files_are_read_beside_the_compose_file(files, tmp_path):
    compose = COMPOSE.replace("    mem_limit: 512m\n", "    env_file: [missing.env]\n")
    found = check(files, compose=compose)
    assert len(found) == 1 and "service 'web': env_file" in found[0] and "missing.env" in found[0], found
    (tmp_path / "missing.env").write_text("A=1\n")
    assert check(files, compose=compose) == []


def test_variable_names_in_messages_follow_the_caller(files):
    compose_file, params_file = files()
    found = ecs_service_problems(
        [{"name": "nope", "port": 1}],
        "x",
        compose_file,
        params_file,
        services_variable="my_services",
        compose_variable="my_compose",
    )
    assert found[0].startswith(f"my_services[0].name 'nope': not a service of my_compose {compose_file}"), found


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "ecs_service_problems: argument 'name' = ''"),
        ({"variables": ["A"]}, "ecs_service_problems: argument 'variables' = ['A']: must be a mapping"),
    ],
)
def test_bad_arguments(files, kwargs, message):
    compose_file, params_file = files()
    arguments = {"name": "teamf-dev", **kwargs}
    with pytest.raises(AnsibleFilterError, match=message.replace("[", r"\[")):
        ecs_service_problems(SERVICES, compose_file=compose_file, ecs_params_file=params_file, **arguments)
