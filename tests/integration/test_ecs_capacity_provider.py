"""teamf.platform.ecs_capacity_provider through ansible-playbook against the emulator.

One scenario: check mode → create → rerun → managed scaling changed in place → Auto Scaling group
change refused → delete refused while a cluster uses it → absent, reading ECS back after each step.
"""

from __future__ import annotations

import pytest

from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.ecs_capacity_provider"
NAME = "cp-it"
CLUSTER = "cp-it-cluster"
ASG = "arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:1a2b:autoScalingGroupName/{}"
PRESENT = {
    "name": NAME,
    "auto_scaling_group_arn": ASG.format("dev-ecs"),
    "managed_scaling": {"status": "ENABLED", "target_capacity": 90, "maximum_scaling_step_size": 2},
    "managed_termination_protection": "DISABLED",
    "managed_draining": "ENABLED",
    "tags": {"Environment": "dev", "ManagedBy": "teamf.platform"},
}


@pytest.fixture
def ecs(aws):
    """ECS client of the session's emulator; what a failed run leaves behind is removed afterwards."""
    client = aws("ecs")
    yield client
    if client.describe_clusters(clusters=[CLUSTER])["clusters"]:
        client.delete_cluster(cluster=CLUSTER)
    if read_back(client):
        client.delete_capacity_provider(capacityProvider=NAME)


def read_back(ecs):
    found = ecs.describe_capacity_providers(capacityProviders=[NAME], include=["TAGS"])["capacityProviders"]
    return found[0] if found else None


def test_capacity_provider_lifecycle(emulator, ecs):
    check = run_module(emulator, MODULE, PRESENT, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["capacity_provider"] is None
    assert check["diff"]["after"]["auto_scaling_group_provider"]["managedScaling"]["targetCapacity"] == 90
    assert read_back(ecs) is None

    created, rerun = run_steps(emulator, [Step(MODULE, PRESENT), Step(MODULE, PRESENT)])
    assert created["changed"] is True, created
    provider = created["capacity_provider"]
    assert provider["name"] == NAME
    assert provider["auto_scaling_group_provider"]["auto_scaling_group_arn"] == ASG.format("dev-ecs")
    assert provider["tags"] == {"Environment": "dev", "ManagedBy": "teamf.platform"}
    aws_view = read_back(ecs)
    assert aws_view["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    assert aws_view["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 90
    assert aws_view["autoScalingGroupProvider"]["managedScaling"]["maximumScalingStepSize"] == 2
    assert aws_view["autoScalingGroupProvider"]["managedDraining"] == "ENABLED"
    assert {t["key"]: t["value"] for t in aws_view["tags"]} == provider["tags"]
    assert rerun["changed"] is False, rerun

    scaled = dict(PRESENT, managed_scaling={"target_capacity": 75}, managed_draining="DISABLED")
    changed_asg = dict(PRESENT, auto_scaling_group_arn=ASG.format("other"))
    updated, refused = run_steps(emulator, [Step(MODULE, scaled, diff=True), Step(MODULE, changed_asg)])
    assert updated["changed"] is True, updated
    assert updated["diff"]["before"]["auto_scaling_group_provider"]["managedScaling"]["targetCapacity"] == 90
    assert updated["diff"]["after"]["auto_scaling_group_provider"]["managedScaling"]["targetCapacity"] == 75
    asg_provider = read_back(ecs)["autoScalingGroupProvider"]
    assert asg_provider["managedScaling"]["targetCapacity"] == 75
    assert asg_provider["managedScaling"]["status"] == "ENABLED"  # not given: left alone
    assert asg_provider["managedDraining"] == "DISABLED"
    assert asg_provider["autoScalingGroupArn"] == ASG.format("dev-ecs")
    assert refused["failed"] is True
    assert "auto_scaling_group_arn cannot change" in refused["msg"]
    assert "Create a new capacity provider" in refused["msg"]

    ecs.create_cluster(clusterName=CLUSTER, capacityProviders=[NAME])
    in_use = run_module(emulator, MODULE, {"name": NAME, "state": "absent"})
    assert in_use["failed"] is True
    assert f"associated with cluster {CLUSTER}" in in_use["msg"], in_use["msg"]
    assert read_back(ecs) is not None

    ecs.put_cluster_capacity_providers(cluster=CLUSTER, capacityProviders=[], defaultCapacityProviderStrategy=[])
    absent = {"name": NAME, "state": "absent"}
    check_absent, deleted, again = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert check_absent["changed"] is True
    assert deleted["changed"] is True, deleted
    assert again["changed"] is False
    assert read_back(ecs) is None
