"""plugins/module_utils/eks_nodegroup.py: validation, the create request and the compare helpers."""

from __future__ import annotations

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.eks_nodegroup import (
    compare_labels,
    compare_scaling,
    compare_taints,
    compare_update_config,
    config_changes,
    create_request,
    immutable_change_message,
    immutable_changes,
    missing_for_create,
    nodegroup_view,
    predict,
    tag_changes,
    validate_params,
    version_changes,
)

ROLE = "arn:aws:iam::123456789012:role/nodes"
NO_SCHEDULE = {"key": "dedicated", "value": "ci", "effect": "NO_SCHEDULE"}


def params(**overrides):
    """Module parameters as AnsibleModule hands them over (every option present)."""
    base = dict(
        cluster_name="demo",
        name="general",
        state="present",
        node_role_arn=ROLE,
        subnet_ids=["subnet-a", "subnet-b"],
        instance_types=None,
        capacity_type="ON_DEMAND",
        ami_type="AL2023_x86_64_STANDARD",
        disk_size=None,
        launch_template=None,
        scaling={"min_size": 1, "max_size": 3, "desired_size": 2},
        desired_size_policy="initial",
        labels=None,
        taints=None,
        update_config=None,
        version=None,
        release_version=None,
        tags=None,
        purge_tags=True,
        wait=True,
        wait_timeout=1800,
    )
    base.update(overrides)
    return base


def nodegroup(**overrides):
    """A DescribeNodegroup answer."""
    base = {
        "nodegroupName": "general",
        "nodegroupArn": "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/demo/general/1",
        "clusterName": "demo",
        "status": "ACTIVE",
        "version": "1.31",
        "releaseVersion": "1.31.0-20250505",
        "nodeRole": ROLE,
        "subnets": ["subnet-b", "subnet-a"],
        "instanceTypes": ["t3.medium"],
        "capacityType": "ON_DEMAND",
        "amiType": "AL2023_x86_64_STANDARD",
        "diskSize": 20,
        "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2},
        "updateConfig": {"maxUnavailable": 1},
        "labels": {"workload": "general"},
        "taints": [NO_SCHEDULE],
        "tags": {"team": "f"},
    }
    base.update(overrides)
    return base


def template_nodegroup(**overrides):
    return nodegroup(
        launchTemplate={"id": "lt-1", "name": "nodes", "version": "1"},
        instanceTypes=None,
        diskSize=None,
        **overrides,
    )


# ---- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scaling": {"min_size": 3, "max_size": 5, "desired_size": 1}}, "scaling.desired_size 1 must not be below"),
        ({"scaling": {"min_size": 1, "max_size": 2, "desired_size": 3}}, "scaling.desired_size 3 must not exceed"),
        ({"scaling": {"min_size": 3, "max_size": 2}}, "scaling.min_size 3 must not exceed scaling.max_size 2"),
        ({"scaling": {"min_size": 0, "max_size": 0}}, "scaling.max_size 0 must be at least 1"),
        ({"scaling": {"min_size": -1, "max_size": 2}}, "scaling.min_size -1 must not be negative"),
        (
            {"desired_size_policy": "enforce", "scaling": {"min_size": 1, "max_size": 2}},
            "scaling.desired_size is required with desired_size_policy enforce",
        ),
        (
            {"taints": [{"key": "a", "value": None, "effect": "NoSchedule"}]},
            "taints[0].effect 'NoSchedule' must be one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE "
            "(Kubernetes' NoSchedule is NO_SCHEDULE)",
        ),
        (
            {"taints": [NO_SCHEDULE, dict(NO_SCHEDULE, value="other")]},
            "taints: key 'dedicated' appears twice with effect NO_SCHEDULE",
        ),
        (
            {"disk_size": 50, "launch_template": {"id": None, "name": "nodes", "version": None}},
            "disk_size cannot be used with launch_template",
        ),
        ({"launch_template": {"id": "lt-1", "name": "nodes", "version": None}}, "exactly one of id or name"),
        ({"launch_template": {"id": None, "name": None, "version": "1"}}, "exactly one of id or name"),
        (
            {"launch_template": {"id": None, "name": "nodes", "version": "$Latest"}},
            "launch_template.version '$Latest' must be a version number",
        ),
        (
            {"update_config": {"max_unavailable": 1, "max_unavailable_percentage": 10}},
            "update_config needs exactly one of max_unavailable or max_unavailable_percentage",
        ),
        (
            {"update_config": {"max_unavailable": None, "max_unavailable_percentage": None}},
            "update_config needs exactly one",
        ),
        (
            {"update_config": {"max_unavailable": None, "max_unavailable_percentage": 0}},
            "update_config.max_unavailable_percentage 0 must be 1 to 100",
        ),
        (
            {"update_config": {"max_unavailable": 101, "max_unavailable_percentage": None}},
            "update_config.max_unavailable 101 must be 1 to 100",
        ),
        ({"ami_type": "CUSTOM"}, "ami_type CUSTOM needs a launch_template"),
        (
            {"ami_type": "CUSTOM", "launch_template": {"id": "lt-1", "name": None, "version": "2"}, "version": "1.31"},
            "version cannot be set with ami_type CUSTOM",
        ),
        ({"subnet_ids": []}, "subnet_ids must not be empty"),
        ({"instance_types": []}, "instance_types must not be empty"),
        ({"disk_size": 0}, "disk_size 0 must be a positive number of GiB"),
    ],
)
def test_validate_params_names_the_problem(overrides, message):
    errors = validate_params(params(**overrides))
    assert any(message in error for error in errors), errors


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"scaling": {"min_size": 0, "max_size": 1, "desired_size": 0}},
        {"scaling": {"min_size": 1, "max_size": 3, "desired_size": None}},
        {"taints": [NO_SCHEDULE, dict(NO_SCHEDULE, effect="NO_EXECUTE")]},
        {"launch_template": {"id": None, "name": "nodes", "version": "12"}, "instance_types": ["m6i.large"]},
        {"update_config": {"max_unavailable": None, "max_unavailable_percentage": 100}},
        {"scaling": None, "node_role_arn": None, "subnet_ids": None},  # an update need not repeat these
    ],
)
def test_validate_params_accepts(overrides):
    assert validate_params(params(**overrides)) == []


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({}, []),
        ({"node_role_arn": None}, ["node_role_arn"]),
        ({"subnet_ids": None, "scaling": None}, ["subnet_ids", "scaling"]),
    ],
)
def test_missing_for_create(overrides, missing):
    assert missing_for_create(params(**overrides)) == missing


def test_create_request_sends_only_what_was_given():
    request = create_request(
        params(
            scaling={"min_size": 1, "max_size": 3, "desired_size": None},
            labels={"workload": "general", "spot": True, "zone": 3},
            taints=[{"key": "dedicated", "value": None, "effect": "NO_SCHEDULE"}],
            update_config={"max_unavailable": None, "max_unavailable_percentage": 25},
            launch_template={"id": None, "name": "nodes", "version": "3"},
            tags={"team": "f"},
        )
    )
    assert request == {
        "clusterName": "demo",
        "nodegroupName": "general",
        "nodeRole": ROLE,
        "subnets": ["subnet-a", "subnet-b"],
        "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 1},
        "capacityType": "ON_DEMAND",
        "amiType": "AL2023_x86_64_STANDARD",
        "launchTemplate": {"name": "nodes", "version": "3"},
        "labels": {"workload": "general", "spot": "true", "zone": "3"},
        "taints": [{"key": "dedicated", "effect": "NO_SCHEDULE"}],
        "updateConfig": {"maxUnavailablePercentage": 25},
        "tags": {"team": "f"},
    }


# ---- compare helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "to_set", "to_unset"),
    [
        ({"a": "1"}, None, {}, []),
        ({"a": "1"}, {"a": "1"}, {}, []),
        ({"a": "1"}, {"a": "2"}, {"a": "2"}, []),
        ({"a": "1", "b": "2"}, {"a": "1"}, {}, ["b"]),
        (None, {"a": "1"}, {"a": "1"}, []),
        ({"a": "1", "c": "3"}, {}, {}, ["a", "c"]),
        ({"a": "1", "b": "2"}, {"b": "3", "d": "4"}, {"b": "3", "d": "4"}, ["a"]),
    ],
    ids=["unmanaged", "same", "value", "remove", "none-yet", "remove-all", "mixed"],
)
def test_compare_labels(current, wanted, to_set, to_unset):
    assert compare_labels(current, wanted) == (to_set, to_unset)


TAINT_A = {"key": "a", "value": "1", "effect": "NO_SCHEDULE"}


@pytest.mark.parametrize(
    ("current", "wanted", "to_set", "to_unset"),
    [
        ([TAINT_A], None, [], []),
        ([TAINT_A], [dict(TAINT_A)], [], []),
        ([TAINT_A], [dict(TAINT_A, value="2")], [dict(TAINT_A, value="2")], []),
        (
            [TAINT_A],
            [dict(TAINT_A, effect="NO_EXECUTE")],
            [dict(TAINT_A, effect="NO_EXECUTE")],
            [TAINT_A],
        ),
        ([TAINT_A], [], [], [TAINT_A]),
        (None, [TAINT_A], [TAINT_A], []),
        ([{"key": "b", "effect": "NO_EXECUTE"}], [{"key": "b", "value": "", "effect": "NO_EXECUTE"}], [], []),
        ([{"key": "b", "effect": "NO_EXECUTE"}], [{"key": "b", "value": None, "effect": "NO_EXECUTE"}], [], []),
        (
            [{"key": "b", "effect": "NO_EXECUTE"}],
            [{"key": "b", "value": "x", "effect": "NO_EXECUTE"}],
            [{"key": "b", "value": "x", "effect": "NO_EXECUTE"}],
            [],
        ),
    ],
    ids=["unmanaged", "same", "value", "effect", "remove", "none-yet", "empty-value", "null-value", "add-value"],
)
def test_compare_taints(current, wanted, to_set, to_unset):
    assert compare_taints(current, wanted) == (to_set, to_unset)


CURRENT_SCALING = {"minSize": 1, "maxSize": 4, "desiredSize": 3}


@pytest.mark.parametrize(
    ("wanted", "policy", "expected"),
    [
        (None, "enforce", {}),
        ({"min_size": 1, "max_size": 4, "desired_size": 3}, "enforce", {}),
        ({"min_size": 1, "max_size": 4, "desired_size": 2}, "enforce", {"minSize": 1, "maxSize": 4, "desiredSize": 2}),
        ({"min_size": 1, "max_size": 4, "desired_size": 2}, "initial", {}),
        ({"min_size": 1, "max_size": 4, "desired_size": None}, "initial", {}),
        ({"min_size": 1, "max_size": 6, "desired_size": 2}, "initial", {"minSize": 1, "maxSize": 6, "desiredSize": 3}),
        # the autoscaler's desired size is moved into the new range, never elsewhere
        ({"min_size": 4, "max_size": 6, "desired_size": 1}, "initial", {"minSize": 4, "maxSize": 6, "desiredSize": 4}),
        ({"min_size": 1, "max_size": 2, "desired_size": 1}, "initial", {"minSize": 1, "maxSize": 2, "desiredSize": 2}),
    ],
    ids=["unmanaged", "same", "enforce-desired", "initial-ignores", "initial-none", "max", "clamp-up", "clamp-down"],
)
def test_compare_scaling(wanted, policy, expected):
    assert compare_scaling(CURRENT_SCALING, wanted, policy) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ({"maxUnavailable": 1}, None, {}),
        ({"maxUnavailable": 1}, {"maxUnavailable": 1}, {}),
        ({"maxUnavailable": 1}, {"maxUnavailable": 2}, {"maxUnavailable": 2}),
        ({"maxUnavailable": 1}, {"maxUnavailablePercentage": 50}, {"maxUnavailablePercentage": 50}),
        ({"maxUnavailablePercentage": 50, "updateStrategy": "DEFAULT"}, {"maxUnavailablePercentage": 50}, {}),
        (None, {"maxUnavailable": 1}, {"maxUnavailable": 1}),
    ],
    ids=["unmanaged", "same", "count", "to-percentage", "extra-keys-ignored", "none-yet"],
)
def test_compare_update_config(current, wanted, expected):
    assert compare_update_config(current, wanted) == expected


def test_config_changes_bundles_everything_into_one_request():
    changes = config_changes(
        nodegroup(),
        params(
            labels={"workload": "batch", "extra": "1"},
            taints=[],
            scaling={"min_size": 1, "max_size": 5, "desired_size": 2},
            update_config={"max_unavailable": None, "max_unavailable_percentage": 20},
        ),
    )
    assert changes == {
        "labels": {"addOrUpdateLabels": {"workload": "batch", "extra": "1"}},
        "taints": {"removeTaints": [NO_SCHEDULE]},
        "scalingConfig": {"minSize": 1, "maxSize": 5, "desiredSize": 2},
        "updateConfig": {"maxUnavailablePercentage": 20},
    }


def test_config_changes_none_when_converged():
    assert config_changes(nodegroup(), params(labels={"workload": "general"}, taints=[dict(NO_SCHEDULE)])) == {}


@pytest.mark.parametrize(
    ("current", "overrides", "expected"),
    [
        (nodegroup(), {}, {}),
        (nodegroup(), {"version": "1.31", "release_version": "1.31.0-20250505"}, {}),
        (nodegroup(version="1.30"), {"version": "1.31"}, {"version": "1.31"}),
        (
            nodegroup(),
            {"release_version": "1.31.7-20250601"},
            {"version": "1.31", "releaseVersion": "1.31.7-20250601"},
        ),
        (
            template_nodegroup(),
            {"launch_template": {"id": None, "name": "nodes", "version": "2"}},
            {"launchTemplate": {"id": "lt-1", "version": "2"}, "version": "1.31", "releaseVersion": "1.31.0-20250505"},
        ),
        (
            template_nodegroup(),
            {"launch_template": {"id": "lt-1", "name": None, "version": None}},
            {},
        ),
        (
            template_nodegroup(version="1.30"),
            {"launch_template": {"id": "lt-1", "name": None, "version": "2"}, "version": "1.31"},
            {"launchTemplate": {"id": "lt-1", "version": "2"}, "version": "1.31"},
        ),
        (
            template_nodegroup(amiType="CUSTOM"),
            {"ami_type": "CUSTOM", "launch_template": {"id": "lt-1", "name": None, "version": "5"}},
            {"launchTemplate": {"id": "lt-1", "version": "5"}},
        ),
    ],
    ids=["unmanaged", "same", "version", "release", "template", "template-unpinned", "template+version", "custom"],
)
def test_version_changes(current, overrides, expected):
    assert version_changes(current, params(**overrides)) == expected


@pytest.mark.parametrize(
    ("current", "overrides", "expected"),
    [
        (nodegroup(), {}, []),
        (nodegroup(), {"subnet_ids": ["subnet-b", "subnet-a"]}, []),
        (nodegroup(), {"subnet_ids": ["subnet-a"]}, [("subnet_ids", ["subnet-b", "subnet-a"], ["subnet-a"])]),
        (nodegroup(), {"instance_types": ["t3.medium"]}, []),
        (nodegroup(), {"instance_types": ["m6i.large"]}, [("instance_types", ["t3.medium"], ["m6i.large"])]),
        (nodegroup(), {"capacity_type": "SPOT"}, [("capacity_type", "ON_DEMAND", "SPOT")]),
        (
            nodegroup(),
            {"ami_type": "BOTTLEROCKET_x86_64"},
            [("ami_type", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64")],
        ),
        (nodegroup(), {"disk_size": 50}, [("disk_size", 20, 50)]),
        (
            nodegroup(),
            {"node_role_arn": "arn:aws:iam::123456789012:role/other"},
            [("node_role_arn", ROLE, "arn:aws:iam::123456789012:role/other")],
        ),
        (
            nodegroup(),
            {"launch_template": {"id": None, "name": "nodes", "version": "1"}},
            [("launch_template", None, {"name": "nodes"})],
        ),
        (template_nodegroup(), {"launch_template": {"id": None, "name": "nodes", "version": "7"}}, []),
        (
            template_nodegroup(),
            {"launch_template": {"id": "lt-2", "name": None, "version": "1"}},
            [("launch_template.id", "lt-1", "lt-2")],
        ),
    ],
    ids=[
        "nothing",
        "subnets-reordered",
        "subnets",
        "instances-same",
        "instances",
        "capacity",
        "ami",
        "disk",
        "role",
        "template-added",
        "template-version-only",
        "template-id",
    ],
)
def test_immutable_changes(current, overrides, expected):
    assert immutable_changes(current, params(**overrides)) == expected


def test_immutable_change_message_says_what_to_do():
    message = immutable_change_message([("capacity_type", "ON_DEMAND", "SPOT")], "demo", "general")
    assert "nodegroup general in cluster demo cannot change in place" in message
    assert "capacity_type is 'ON_DEMAND', wanted 'SPOT'" in message
    assert "create a nodegroup under a new name with the new value, move workloads, then remove this one" in message


@pytest.mark.parametrize(
    ("tags", "purge", "expected"),
    [
        (None, True, ({}, [])),
        ({"team": "f"}, True, ({}, [])),
        ({"team": "g"}, True, ({"team": "g"}, [])),
        ({}, True, ({}, ["team"])),
        ({}, False, ({}, [])),
    ],
)
def test_tag_changes(tags, purge, expected):
    assert tag_changes(nodegroup(), params(tags=tags, purge_tags=purge)) == expected


# ---- predicted state and diff -------------------------------------------------------------------


def test_predict_applies_every_change_without_touching_the_input():
    current = template_nodegroup()
    wanted = params(
        labels={"workload": "batch"},
        taints=[dict(NO_SCHEDULE, value="batch")],
        scaling={"min_size": 2, "max_size": 5, "desired_size": None},
        update_config={"max_unavailable": 2, "max_unavailable_percentage": None},
        launch_template={"id": "lt-1", "name": None, "version": "2"},
        tags={"team": "f", "env": "it"},
    )
    config, version = config_changes(current, wanted), version_changes(current, wanted)
    after = predict(current, config, version, {"env": "it"}, [])
    view = nodegroup_view(after)
    assert view["labels"] == {"workload": "batch"}
    assert view["taints"] == [{"effect": "NO_SCHEDULE", "key": "dedicated", "value": "batch"}]
    assert view["scaling"] == {"desired_size": 2, "max_size": 5, "min_size": 2}
    assert view["update_config"] == {"max_unavailable": 2}
    assert view["launch_template"] == {"id": "lt-1", "name": "nodes", "version": "2"}
    assert view["tags"] == {"env": "it", "team": "f"}
    assert current["launchTemplate"]["version"] == "1" and current["labels"] == {"workload": "general"}
    assert config_changes(after, wanted) == {} and version_changes(after, wanted) == {}


def test_nodegroup_view_is_sorted():
    view = nodegroup_view(nodegroup())
    assert list(view) == sorted(view)
    assert view["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert nodegroup_view(None) == {}
