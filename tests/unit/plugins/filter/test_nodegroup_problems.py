"""teamf.platform.nodegroup_problems: valid groups pass, every refusal names the variable and the fix."""

import pytest
from ansible_collections.teamf.platform.plugins.filter.nodegroup_problems import nodegroup_problems

SCALING = {"min_size": 1, "desired_size": 2, "max_size": 3}
GROUP = {"name": "general", "instance_types": ["m6i.large"], "capacity_type": "ON_DEMAND", "scaling": SCALING}


def group(**changes):
    return {**GROUP, **changes}


@pytest.mark.parametrize(
    "groups",
    [
        pytest.param([GROUP], id="minimal"),
        pytest.param([group(scaling={"min_size": "0", "desired_size": "1", "max_size": "2"})], id="quoted-sizes"),
        pytest.param([group(scaling={"min_size": 0, "desired_size": 0, "max_size": 1})], id="scaled-to-zero"),
        pytest.param(
            [
                group(
                    disk_size=100,
                    max_unavailable=2,
                    labels={"workload": "general"},
                    taints=[{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}],
                    ami_type="AL2023_ARM_64_STANDARD",
                    instance_types=["c7g.16xlarge", "u-6tb1.metal"],
                ),
                group(name="spot_pool-2", capacity_type="SPOT"),
            ],
            id="everything-set",
        ),
    ],
)
def test_valid_groups_have_no_problems(groups):
    assert nodegroup_problems(groups) == []


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        pytest.param(
            [group(scaling={"min_size": 4, "desired_size": 3, "max_size": 3})],
            "nodegroup_groups[general].scaling: min_size 4 exceeds max_size 3; lower min_size or raise max_size",
            id="min-above-max",
        ),
        pytest.param(
            [group(scaling={"min_size": 1, "desired_size": 5, "max_size": 3})],
            "desired_size 5 must lie between min_size 1 and max_size 3",
            id="desired-above-max",
        ),
        pytest.param(
            [group(scaling={"min_size": 1, "desired_size": 2, "max_size": "three"})],
            "nodegroup_groups[general].scaling.max_size: 'three' is not a whole number; write a number, "
            "e.g. max_size: 3",
            id="size-as-word",
        ),
        pytest.param(
            [group(scaling={"min_size": True, "desired_size": 2, "max_size": 3})],
            "min_size: True is not a whole number",
            id="size-as-bool",
        ),
        pytest.param(
            [group(scaling={"min_size": 0, "desired_size": 0, "max_size": 0})],
            "max_size: 0 must be at least 1",
            id="max-zero",
        ),
        pytest.param(
            [group(scaling={"min_size": 1, "max_size": 3})], "scaling.desired_size is missing", id="missing-size"
        ),
        pytest.param(
            [group(scaling={"min_size": 1, "desired_size": 2, "max": 3})],
            "unknown key 'max'; did you mean 'max_size'?",
            id="scaling-typo",
        ),
        pytest.param([group(scaling="small")], "must be a mapping such as", id="scaling-not-a-dict"),
        pytest.param([group(instance_types=["m6i-large"])], "'m6i-large' is not an EC2 instance type", id="bad-type"),
        pytest.param([group(instance_types=[])], "must be a non-empty list such as [m6i.large]", id="no-types"),
        pytest.param([group(capacity_type="spot")], "'spot' must be one of ON_DEMAND, SPOT", id="capacity-case"),
        pytest.param([group(name="gen eral")], ".name: 'gen eral' must be 1 to 63 letters", id="name-charset"),
        pytest.param([group(name="g" * 64)], "must be 1 to 63 letters", id="name-length"),
        pytest.param([GROUP, GROUP], "'general' is used more than once", id="duplicate-names"),
        pytest.param([group(disk_size=0)], "disk_size: 0 must be a whole number of GiB from 1 to 16384", id="disk"),
        pytest.param([group(max_unavailable=101)], "from 1 to 100", id="max-unavailable"),
        pytest.param([group(taints=[{"key": "a", "effect": "NoSchedule"}])], "must be one of NO_SCHEDULE", id="taint"),
        pytest.param([group(labels={"tier": 1})], "labels: {'tier': 1} must map label names", id="label-value"),
        pytest.param([group(instance_type=["m6i.large"])], "did you mean 'instance_types'?", id="group-typo"),
        pytest.param([], "must be a non-empty list of nodegroups", id="empty"),
        pytest.param(["general"], "nodegroup_groups[0]: 'general' must be a mapping", id="not-a-dict"),
    ],
)
def test_problems_name_the_variable_value_and_fix(groups, expected):
    problems = nodegroup_problems(groups)
    assert any(expected in problem for problem in problems), problems


def test_scaling_reported_under_the_inventory_variable_it_came_from():
    groups = [group(scaling={"min_size": 4, "desired_size": 3, "max_size": 3})]
    named = nodegroup_problems(groups, "nodegroup_{name}_scaling", ["nodegroup_general_scaling"])
    assert named == ["nodegroup_general_scaling: min_size 4 exceeds max_size 3; lower min_size or raise max_size"]
    # Not set for the host: the group's own path is named.
    assert nodegroup_problems(groups, "nodegroup_{name}_scaling", [])[0].startswith("nodegroup_groups[general].scaling")


def test_every_problem_is_reported_at_once():
    groups = [group(instance_types=["big"], capacity_type="cheap", scaling={"min_size": "x", "desired_size": 1})]
    assert len(nodegroup_problems(groups)) == 4
