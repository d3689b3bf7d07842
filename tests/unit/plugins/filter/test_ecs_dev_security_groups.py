"""teamf.platform.ecs_dev_security_groups: each group's ingress, names, tags, and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.ecs_dev_security_groups import ecs_dev_security_groups
from ansible_collections.teamf.platform.plugins.module_utils.ec2_security_groups import validation_errors

SERVICES = [
    {"name": "api", "port": 8080, "load_balancer": {"path": "/api"}},
    {"name": "auth", "port": 8081, "load_balancer": {"path": "/auth"}, "ingress_from": ["api"]},
    {"name": "redis", "port": 6379, "ingress_from": ["api", "auth"]},
    {"name": "worker", "port": 9000},
]


def sources(group):
    return [(rule["ports"], rule.get("group") or rule.get("cidr_ip"), rule["description"]) for rule in group["ingress"]]


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        pytest.param([], {}, id="no-services"),
        pytest.param(
            SERVICES,
            {
                "dev-api": [([8080], "dev-alb", "from the ALB")],
                "dev-auth": [([8081], "dev-alb", "from the ALB"), ([8081], "dev-api", "from api")],
                "dev-redis": [([6379], "dev-api", "from api"), ([6379], "dev-auth", "from auth")],
                "dev-worker": [],
            },
            id="alb-and-services",
        ),
        pytest.param(
            [{"name": "api", "port": "8080", "load_balancer": None}], {"dev-api": []}, id="null-load-balancer"
        ),
    ],
)
def test_each_service_is_reached_from_the_alb_or_the_services_it_names(services, expected):
    groups = ecs_dev_security_groups(services, "dev", [80, 443], ["10.0.0.0/8"], {"Environment": "dev"})
    assert [g["name"] for g in groups] == ["dev-alb", "dev-instances", *expected]
    alb, instances, *per_service = groups
    assert sources(alb) == [([80, 443], ["10.0.0.0/8"], "clients")]
    assert alb["description"] == "ALB of dev"
    assert instances == {
        "name": "dev-instances",
        "description": "ECS container instances of dev",
        "tags": {"Environment": "dev", "Name": "dev-instances"},
        "ingress": [],
    }
    assert {g["name"]: sources(g) for g in per_service} == expected
    for group in per_service:
        assert group["tags"] == {"Environment": "dev", "Name": group["name"]}
        assert group["description"] == f"ECS service {group['name'][4:]} of dev"
    # What the module is given passes its own validation.
    assert validation_errors(groups) == []


@pytest.mark.parametrize(
    ("services", "kwargs", "message"),
    [
        pytest.param(SERVICES, {"name": ""}, "argument 'name' = ''", id="no-name"),
        pytest.param(SERVICES, {"alb_ports": []}, "argument 'alb_ports' = []", id="no-alb-ports"),
        pytest.param(SERVICES, {"alb_cidrs": []}, "argument 'alb_cidrs' = []: give the CIDR blocks", id="no-cidrs"),
        pytest.param([{"name": "api"}], {}, "service 0 needs a name and a port", id="no-port"),
        pytest.param(
            [{"name": "redis", "port": 6379, "ingress_from": ["apii"]}],
            {},
            "argument '_input' = 'apii': service redis's ingress_from names no service of ['redis']",
            id="unknown-source",
        ),
    ],
)
def test_refusals_name_the_argument(services, kwargs, message):
    arguments = dict({"name": "dev", "alb_ports": [80], "alb_cidrs": ["0.0.0.0/0"]}, **kwargs)
    with pytest.raises(AnsibleFilterError, match="ecs_dev_security_groups: ") as error:
        ecs_dev_security_groups(services, **arguments)
    assert message in str(error.value)
