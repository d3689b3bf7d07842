"""emulator.fixes.eks_nodegroup_transitions, over HTTP: a new node group is CREATING, then ACTIVE."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from tests.conftest import REGION

TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


def eks_with_cluster(emulator, cluster: str):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    iam, eks = (session.client(name, endpoint_url=emulator.url) for name in ("iam", "eks"))
    role = iam.create_role(RoleName=f"{cluster}-nodes", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    eks.create_cluster(name=cluster, roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
    return eks, role


@pytest.fixture(scope="module")
def slow_emulator(emulator_factory):
    return emulator_factory(isolation="nodegroup-transitions", TEAMF_EMULATOR_EKS_NODEGROUP_CREATE_SECONDS="2")


def test_a_new_nodegroup_is_creating_until_its_time_then_active(slow_emulator):
    eks, role = eks_with_cluster(slow_emulator, "transitions")
    created = eks.create_nodegroup(clusterName="transitions", nodegroupName="ng", nodeRole=role, subnets=["subnet-1"])
    assert created["nodegroup"]["status"] == "CREATING"
    assert eks.describe_nodegroup(clusterName="transitions", nodegroupName="ng")["nodegroup"]["status"] == "CREATING"
    deadline = time.monotonic() + 30
    while eks.describe_nodegroup(clusterName="transitions", nodegroupName="ng")["nodegroup"]["status"] == "CREATING":
        assert time.monotonic() < deadline, "still CREATING after 30 s"
        time.sleep(0.5)
    assert eks.describe_nodegroup(clusterName="transitions", nodegroupName="ng")["nodegroup"]["status"] == "ACTIVE"


def test_without_the_knob_a_nodegroup_is_active_at_once(emulator):
    cluster = f"instant-{time.monotonic_ns()}"
    eks, role = eks_with_cluster(emulator, cluster)
    created = eks.create_nodegroup(clusterName=cluster, nodegroupName="ng", nodeRole=role, subnets=["subnet-1"])
    assert created["nodegroup"]["status"] == "ACTIVE"


def test_bare_moto_makes_a_nodegroup_active_at_once(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto keeps a new node group CREATING for a
    while itself now: the fix can go."""
    eks = bare_moto("eks")
    role = "arn:aws:iam::123456789012:role/marker-nodes"
    eks.create_cluster(name="marker-transitions", roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    created = eks.create_nodegroup(
        clusterName="marker-transitions", nodegroupName="ng", nodeRole=role, subnets=["subnet-1"]
    )
    assert created["nodegroup"]["status"] == "ACTIVE"
