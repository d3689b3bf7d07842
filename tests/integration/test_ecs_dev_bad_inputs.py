"""Broken ECS definitions fail site.yml's validation, naming the variable, before anything is created."""

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.integration.conftest import non_default_vpcs

SHARED = REPO_ROOT / "inventories" / "shared" / "group_vars"
DEV_FILES = REPO_ROOT / "inventories" / "dev" / "files" / "dev"
SERVICES = yaml.safe_load((SHARED / "ecs_environments.yml").read_text())["ecs_dev_services"]


def make_inventory(tmp_path, broken: dict):
    """inventories/local's shape with one ECS host 'broken' whose host_vars override the shared definition."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "broken").symlink_to(DEV_FILES)
    for name in ("all.yml", "ecs_environments.yml"):
        (tmp_path / "group_vars" / name).symlink_to(SHARED / name)
    (tmp_path / "group_vars" / "emulator.yml").write_text(
        (REPO_ROOT / "inventories" / "local" / "group_vars" / "emulator.yml").read_text()
    )
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


CASES = [
    pytest.param(
        {"ecs_dev_services": services_with(worker={"name": "worker", "port": 7000})},
        "ecs_dev_services: worker not a service of ecs_dev_compose_file",
        id="service-not-in-compose",
    ),
    pytest.param(
        {"ecs_dev_services": services_with(redis={"name": "redis", "port": 6379, "ingress_from": ["billing"]})},
        "billing not in ecs_dev_services",
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
        "priorities 10, 10 must be unique",
        id="clashing-rule-priorities",
    ),
    pytest.param(
        {"ecs_dev_name": "teamf-development-sandbox"}, "ecs_dev_name 'teamf-development-sandbox'", id="long-name"
    ),
    pytest.param(
        {"ecs_dev_compose_file": "/nonexistent/docker-compose.yml"},
        "ecs_dev_compose_file: /nonexistent/docker-compose.yml does not exist",
        id="missing-compose-file",
    ),
]


@pytest.mark.parametrize(("broken", "message"), CASES)
def test_broken_ecs_definition_fails_before_mutation(tmp_path, playbook, aws, clean_emulator, broken, message):
    run = playbook("site.yml", make_inventory(tmp_path, broken))
    assert run.rc != 0
    assert message in run.output, run.output[-3000:]
    assert non_default_vpcs(aws) == []
    assert aws("ecr").describe_repositories()["repositories"] == []
