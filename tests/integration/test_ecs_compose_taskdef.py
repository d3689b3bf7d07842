"""teamf.platform.ecs_compose_taskdef through ansible-playbook against the emulator.

One scenario walks check mode → register → rerun → new image tag → absent, asserting the state
read back from ECS after every step; a malformed compose file must fail before any AWS call.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import run_module as run_collection_module

MODULE = "teamf.platform.ecs_compose_taskdef"
FAMILY = "compose-it"

COMPOSE = """\
version: "3.8"
services:
  web:
    image: registry.example.com:5000/shop/web:1.0
    command: ["gunicorn", "app:wsgi", "--bind", "0.0.0.0:8000"]
    ports:
      - "8000:8000"
      - "127.0.0.1:9100:9100/udp"
    environment:
      LOG_LEVEL: info
      FEATURE_X: "true"
    env_file: [web.env]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 1m
    volumes:
      - static:/srv/static:ro
      - /var/log/shop:/var/log/app
    ulimits:
      nofile: {soft: 4096, hard: 8192}
    logging:
      driver: awslogs
      options:
        awslogs-group: /teamf/dev/shop
        awslogs-region: ap-northeast-2
        awslogs-stream-prefix: web
    cap_add: [SYS_PTRACE]
    tmpfs: ["/run:size=64m"]
    deploy:
      resources:
        limits: {memory: 512m}
        reservations: {memory: 256m, cpus: "0.25"}
    links: [redis]
    build: .
    restart: always
  redis:
    image: redis:7
    mem_limit: 128m
volumes:
  static:
"""

ECS_PARAMS = """\
version: 1
task_definition:
  task_execution_role: arn:aws:iam::123456789012:role/shop-exec
  services:
    web:
      depends_on:
        - container_name: redis
          condition: START
      secrets:
        - name: DB_PASSWORD
          value_from: arn:aws:ssm:ap-northeast-2:123456789012:parameter/shop/db-password
    redis:
      essential: false
run_params:
  network_configuration:
    awsvpc_configuration:
      subnets: [subnet-1]
"""

WEB_ENV = "LOG_LEVEL=debug\nDB_HOST=redis\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "ecs-params.yml").write_text(ECS_PARAMS)
    (tmp_path / "web.env").write_text(WEB_ENV)
    return tmp_path


@pytest.fixture
def ecs(aws, clean_emulator):
    return aws("ecs")


def run_module(emulator, _project, *, check=False, diff=False, **params):
    """Run the module once in a playbook; return its registered result (failed runs included)."""
    return run_collection_module(emulator, MODULE, params, check=check, diff=diff)


def family_arns(ecs, family=FAMILY):
    return ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]


def describe(ecs, revision):
    return ecs.describe_task_definition(taskDefinition=f"{FAMILY}:{revision}")["taskDefinition"]


def containers(task_definition):
    return {container["name"]: container for container in task_definition["containerDefinitions"]}


def test_register_rerun_retag_and_deregister(emulator, ecs, project):
    params = dict(
        compose_file=str(project / "docker-compose.yml"),
        ecs_params_file=str(project / "ecs-params.yml"),
        family=FAMILY,
    )

    # check mode: predicts a registration, registers nothing
    result = run_module(emulator, project, check=True, diff=True, **params)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["taskdefinition_arn"] is None
    assert result["diff"]["before"] == {}
    assert containers(result["diff"]["after"])["web"]["image"] == "registry.example.com:5000/shop/web:1.0"
    assert family_arns(ecs) == []

    # apply: revision 1 with what the compose project says
    result = run_module(emulator, project, **params)
    assert result["changed"] is True and result["revision"] == 1, result
    assert any("option name=build service name=web" in warning for warning in result["warnings"])
    assert any("option name=restart service name=web" in warning for warning in result["warnings"])
    assert any("run_params is ignored" in warning for warning in result["warnings"])
    task = describe(ecs, 1)
    assert task["executionRoleArn"] == "arn:aws:iam::123456789012:role/shop-exec"
    web, redis = containers(task)["web"], containers(task)["redis"]
    assert web["image"] == "registry.example.com:5000/shop/web:1.0"
    assert web["memory"] == 512 and web["memoryReservation"] == 256 and web["cpu"] == 256
    assert {e["name"]: e["value"] for e in web["environment"]} == {
        "DB_HOST": "redis",
        "FEATURE_X": "true",
        "LOG_LEVEL": "info",
    }
    assert web["portMappings"] == [
        {"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"},
        {"containerPort": 9100, "hostPort": 9100, "protocol": "udp"},
    ]
    assert web["healthCheck"]["startPeriod"] == 60
    assert web["dependsOn"] == [{"containerName": "redis", "condition": "START"}]
    assert web["secrets"][0]["name"] == "DB_PASSWORD"
    assert web["logConfiguration"]["logDriver"] == "awslogs"
    assert redis["essential"] is False and redis["memory"] == 128
    assert {volume["name"] for volume in task["volumes"]} == {"static", "volume-1"}

    # rerun: same files, same revision
    result = run_module(emulator, project, diff=True, **params)
    assert result["changed"] is False, result.get("diff")
    assert result["revision"] == 1
    assert len(family_arns(ecs)) == 1

    # a new image tag for web only: revision 2
    result = run_module(emulator, project, image_tag="1.1", image_tag_services=["web"], **params)
    assert result["changed"] is True and result["revision"] == 2, result
    assert containers(describe(ecs, 2))["web"]["image"] == "registry.example.com:5000/shop/web:1.1"
    assert containers(describe(ecs, 2))["redis"]["image"] == "redis:7"

    # check mode with yet another tag: predicted, not registered
    result = run_module(emulator, project, check=True, image_tag="1.2", image_tag_services=["web"], **params)
    assert result["changed"] is True
    assert len(family_arns(ecs)) == 2

    # rerun of the tagged version: nothing to do
    result = run_module(emulator, project, image_tag="1.1", image_tag_services=["web"], **params)
    assert result["changed"] is False and result["revision"] == 2

    # absent, check mode first
    result = run_module(emulator, project, check=True, family=FAMILY, state="absent")
    assert result["changed"] is True and len(result["deregistered_arns"]) == 2
    assert len(family_arns(ecs)) == 2
    result = run_module(emulator, project, family=FAMILY, state="absent")
    assert result["changed"] is True
    assert family_arns(ecs) == []
    result = run_module(emulator, project, family=FAMILY, state="absent")
    assert result["changed"] is False


def test_tags_are_reconciled_on_the_latest_revision(emulator, ecs, project):
    params = dict(compose_file=str(project / "docker-compose.yml"), family=FAMILY)
    result = run_module(emulator, project, tags={"team": "f"}, **params)
    arn = result["taskdefinition_arn"]
    assert result["changed"] is True
    result = run_module(emulator, project, tags={"team": "f", "env": "dev"}, **params)
    assert result["changed"] is True and result["taskdefinition_arn"] == arn
    tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "f", "env": "dev"}
    result = run_module(emulator, project, tags={"team": "f", "env": "dev"}, **params)
    assert result["changed"] is False


@pytest.mark.parametrize(
    ("compose", "message"),
    [
        (
            COMPOSE.replace('"8000:8000"', '"8000:xx"'),
            "service 'web': ports[0] '8000:xx': container port must be a number",
        ),
        ("services: [web]\n", "'services' must be a mapping"),
        ("services:\n  web: {image: nginx\n", "not valid YAML"),
    ],
    ids=["bad-port", "services-list", "broken-yaml"],
)
def test_malformed_compose_fails_before_registering(emulator, ecs, project, compose, message):
    (project / "docker-compose.yml").write_text(compose)
    result = run_module(emulator, project, compose_file=str(project / "docker-compose.yml"), family=FAMILY)
    assert result["failed"] is True
    assert message in result["msg"]
    assert family_arns(ecs) == []


def test_missing_compose_file_names_the_option(emulator, ecs, tmp_path):
    result = run_module(emulator, tmp_path, compose_file=str(tmp_path / "nope.yml"), family=FAMILY)
    assert result["failed"] is True
    assert result["msg"].startswith(f"compose_file {tmp_path / 'nope.yml'}: cannot read")


def test_register_after_deregistering_everything(emulator, ecs, project):
    params = dict(compose_file=str(project / "docker-compose.yml"), family=FAMILY)
    run_module(emulator, project, **params)
    run_module(emulator, project, family=FAMILY, state="absent")
    result = run_module(emulator, project, **params)
    assert result["changed"] is True and result["revision"] == 2
    assert len(family_arns(ecs)) == 1
