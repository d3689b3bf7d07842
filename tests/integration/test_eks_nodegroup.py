"""teamf.platform.eks_nodegroup through ansible-playbook against the emulator.

The scenario walks check mode → create → rerun → in-place changes → desired size policies →
refused changes → absent, reading the nodegroup back with boto3 after every playbook run. Steps
whose outcome the next step proves (a check-mode run is followed by the real run, which must still
report a change) share one playbook run to keep the number of ansible-playbook start-ups small.
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.conftest import REGION
from tests.integration.modules import Step, run_module, run_steps

MODULE = "teamf.platform.eks_nodegroup"
CLUSTER = "ng-it"
NAME = "general"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def estate(aws, clean_emulator):
    """VPC with two subnets, node role, cluster and a launch template with two versions."""
    ec2, iam, eks = aws("ec2"), aws("iam"), aws("eks")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"ap-northeast-2{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    role = iam.create_role(RoleName="ng-it-nodes", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    eks.create_cluster(name=CLUSTER, version="1.31", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    template = ec2.create_launch_template(
        LaunchTemplateName="ng-it-nodes", LaunchTemplateData={"BlockDeviceMappings": [{"DeviceName": "/dev/xvda"}]}
    )["LaunchTemplate"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template["LaunchTemplateId"], LaunchTemplateData={"UserData": "IyEvYmluL3NoCg=="}
    )
    return {"subnets": subnets, "role": role, "template_id": template["LaunchTemplateId"], "eks": eks}


def nodegroup_args(estate, **overrides):
    args = dict(
        cluster_name=CLUSTER,
        name=NAME,
        node_role_arn=estate["role"],
        subnet_ids=estate["subnets"],
        instance_types=["m6i.large"],
        launch_template={"id": estate["template_id"], "version": "1"},
        scaling={"min_size": 1, "max_size": 4, "desired_size": 2},
        labels={"workload": "general", "tier": "app"},
        taints=[{"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"}],
        update_config={"max_unavailable": 1},
        tags={"team": "f", "env": "it"},
    )
    args.update(overrides)
    return args


def described(estate, name=NAME):
    return estate["eks"].describe_nodegroup(clusterName=CLUSTER, nodegroupName=name)["nodegroup"]


def nodegroup_names(estate):
    return estate["eks"].list_nodegroups(clusterName=CLUSTER)["nodegroups"]


def assert_ok(result, changed):
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is changed, result.get("diff")


INVALID = [
    ({"scaling": {"min_size": 3, "max_size": 5, "desired_size": 1}}, "scaling.desired_size 1 must not be below"),
    (
        {"taints": [{"key": "dedicated", "effect": "NoSchedule"}]},
        "value of effect must be one of: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE",
    ),
    ({"disk_size": 50, "launch_template": {"name": "nodes"}}, "disk_size cannot be used with launch_template"),
]


def test_create_converge_in_place_and_delete(emulator, estate):
    args = nodegroup_args(estate)

    # check mode: predicts a create, creates nothing
    result = run_module(emulator, MODULE, args, check=True, diff=True)
    assert_ok(result, True)
    assert result["nodegroup"] == {} and result["updates"] == []
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["labels"] == {"tier": "app", "workload": "general"}
    assert nodegroup_names(estate) == []

    # create, then rerun with the same input
    created, rerun = run_steps(emulator, [Step(MODULE, args), Step(MODULE, args, diff=True)])
    assert_ok(created, True)
    assert_ok(rerun, False)
    nodegroup = described(estate)
    arn = nodegroup["nodegroupArn"]
    assert created["nodegroup"]["nodegroup_arn"] == arn and created["nodegroup"]["status"] == "ACTIVE"
    assert created["nodegroup"]["labels"] == {"workload": "general", "tier": "app"}
    assert nodegroup["labels"] == {"workload": "general", "tier": "app"}
    assert nodegroup["taints"] == [{"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"}]
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 2}
    assert nodegroup["updateConfig"] == {"maxUnavailable": 1}
    assert nodegroup["launchTemplate"] == {"id": estate["template_id"], "name": "ng-it-nodes", "version": "1"}
    assert nodegroup["instanceTypes"] == ["m6i.large"]
    assert nodegroup["amiType"] == "AL2023_x86_64_STANDARD" and nodegroup["capacityType"] == "ON_DEMAND"
    assert nodegroup["tags"] == {"team": "f", "env": "it"}
    assert rerun["updates"] == [] and rerun["diff"]["before"] == rerun["diff"]["after"]

    # a label value, a taint, max_size, update_config and a tag change in place: check mode first
    # (the real run after it must still find everything to do), then a rerun
    changed_args = nodegroup_args(
        estate,
        scaling={"min_size": 1, "max_size": 6, "desired_size": 2},
        labels={"workload": "batch", "tier": "app"},
        taints=[{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}],
        update_config={"max_unavailable_percentage": 50},
        tags={"team": "f", "env": "it", "cost-center": "42"},
    )
    predicted, applied, rerun = run_steps(
        emulator,
        [
            Step(MODULE, changed_args, check=True, diff=True),
            Step(MODULE, changed_args, diff=True),
            Step(MODULE, changed_args),
        ],
    )
    assert_ok(predicted, True)
    assert predicted["updates"] == []
    assert predicted["diff"]["after"]["labels"] == {"tier": "app", "workload": "batch"}
    assert predicted["diff"]["after"]["update_config"] == {"max_unavailable_percentage": 50}
    assert_ok(applied, True)
    assert applied["diff"] == predicted["diff"]
    assert len(applied["updates"]) == 1  # labels, taints, scaling and update_config in one config update
    assert_ok(rerun, False)
    nodegroup = described(estate)
    assert nodegroup["nodegroupArn"] == arn
    assert nodegroup["labels"] == {"workload": "batch", "tier": "app"}
    assert nodegroup["taints"] == [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}]
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 6, "desiredSize": 2}
    assert nodegroup["updateConfig"] == {"maxUnavailablePercentage": 50}
    assert nodegroup["tags"] == {"team": "f", "env": "it", "cost-center": "42"}
    update = estate["eks"].describe_update(name=CLUSTER, nodegroupName=NAME, updateId=applied["updates"][0])["update"]
    assert update["type"] == "ConfigUpdate" and update["status"] == "Successful"
    assert {param["type"] for param in update["params"]} == {
        "LabelsToAdd",
        "TaintsToAdd",
        "MinSize",
        "MaxSize",
        "DesiredSize",
        "MaxUnavailablePercentage",
    }

    # desired_size: ignored under policy initial (the autoscaler owns it), converged under enforce;
    # a label and a taint removed, a tag purged, launch template version 2 with a new AMI release
    resized = dict(changed_args, scaling={"min_size": 1, "max_size": 6, "desired_size": 5})
    trimmed = dict(
        resized,
        desired_size_policy="enforce",
        labels={"tier": "app"},
        taints=[],
        tags={"team": "f"},
        launch_template={"id": estate["template_id"], "version": "2"},
        release_version="1.31.7-20250601",
    )
    initial, enforced, rerun = run_steps(
        emulator, [Step(MODULE, resized), Step(MODULE, trimmed), Step(MODULE, trimmed)]
    )
    assert_ok(initial, False)
    assert_ok(enforced, True)
    assert len(enforced["updates"]) == 2  # one config update, then one version update
    assert_ok(rerun, False)
    nodegroup = described(estate)
    assert nodegroup["nodegroupArn"] == arn
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 6, "desiredSize": 5}
    assert nodegroup["labels"] == {"tier": "app"}
    assert not nodegroup.get("taints")
    assert nodegroup["tags"] == {"team": "f"}
    assert nodegroup["launchTemplate"]["version"] == "2"
    assert nodegroup["version"] == "1.31" and nodegroup["releaseVersion"] == "1.31.7-20250601"
    version_update = estate["eks"].describe_update(name=CLUSTER, nodegroupName=NAME, updateId=enforced["updates"][1])
    assert version_update["update"]["type"] == "VersionUpdate"

    # what AWS cannot change in place fails before any change, naming field, values and way out;
    # what AWS refuses is reported with the field being changed and AWS's message;
    # a new nodegroup names the options it lacks; invalid input fails before any AWS call (the
    # cluster does not exist: a module calling AWS first would fail with another message)
    before = described(estate)
    elsewhere = dict(trimmed, cluster_name="no-such-cluster", launch_template=None, release_version=None)
    replaced, rejected, missing, *invalid = run_steps(
        emulator,
        [
            Step(MODULE, dict(trimmed, instance_types=["m7i.large"], labels={"tier": "web"})),
            Step(MODULE, dict(trimmed, version="1.32")),
            Step(MODULE, {"cluster_name": CLUSTER, "name": "spare", "instance_types": ["m6i.large"]}),
            *(Step(MODULE, dict(elsewhere, **args)) for args, _message in INVALID),
        ],
    )
    assert replaced["failed"] is True
    assert "instance_types is ['m6i.large'], wanted ['m7i.large']" in replaced["msg"]
    assert "create a nodegroup under a new name with the new value, move workloads" in replaced["msg"]
    assert rejected["failed"] is True
    assert rejected["msg"].startswith(
        f"Failed to update nodegroup version (change version) for nodegroup {NAME} in cluster {CLUSTER}: "
    )
    assert "Requested Nodegroup version 1.32 is invalid" in rejected["msg"]
    assert described(estate) == before
    assert missing["failed"] is True
    assert "creating it needs node_role_arn, subnet_ids, scaling" in missing["msg"]
    assert nodegroup_names(estate) == [NAME]
    for (args, message), result in zip(INVALID, invalid, strict=True):
        assert result["failed"] is True, args
        assert message in result["msg"], (args, result["msg"])

    # absent: check mode, delete (must still find it), gone, and again
    absent = {"cluster_name": CLUSTER, "name": NAME, "state": "absent"}
    predicted, deleted, again = run_steps(
        emulator, [Step(MODULE, absent, check=True), Step(MODULE, absent), Step(MODULE, absent)]
    )
    assert_ok(predicted, True)
    assert_ok(deleted, True)
    assert_ok(again, False)
    assert nodegroup_names(estate) == []


def test_wait_finishes_a_nodegroup_an_earlier_call_left_creating(emulator_factory):
    """What the nodegroup role relies on: converge with wait=false, then wait only where one is CREATING."""
    slow = emulator_factory(isolation="nodegroup-wait", TEAMF_EMULATOR_EKS_NODEGROUP_CREATE_SECONDS="3")
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    ec2, iam, eks = (session.client(name, endpoint_url=slow.url) for name in ("ec2", "iam", "eks"))
    vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.31.0.0/24", AvailabilityZone="ap-northeast-2a")["Subnet"]
    role = iam.create_role(RoleName="ng-wait-nodes", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    eks.create_cluster(
        name=CLUSTER, version="1.31", roleArn=role, resourcesVpcConfig={"subnetIds": [subnet["SubnetId"]]}
    )
    args = dict(
        cluster_name=CLUSTER,
        name=NAME,
        node_role_arn=role,
        subnet_ids=[subnet["SubnetId"]],
        instance_types=["m6i.large"],
        scaling={"min_size": 1, "max_size": 2, "desired_size": 1},
    )

    started, waited, rerun = run_steps(
        slow, [Step(MODULE, dict(args, wait=False)), Step(MODULE, dict(args, wait=True)), Step(MODULE, args)]
    )
    assert_ok(started, True)
    assert started["nodegroup"]["status"] == "CREATING"
    assert_ok(waited, False)  # nothing to change: it only waited
    assert waited["nodegroup"]["status"] == "ACTIVE"
    assert_ok(rerun, False)
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=NAME)["nodegroup"]["status"] == "ACTIVE"
