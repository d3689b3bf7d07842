"""emulator.fixes.iam_propagation, over HTTP: EKS refuses a role IAM has not propagated yet."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from emulator.fixes.iam_propagation import PATH

EKS_TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


JSON = {"Content-Type": "application/json"}


def propagation(emulator, seconds=None):
    data = None if seconds is None else json.dumps({"seconds": seconds}).encode()
    request = urllib.request.Request(
        f"{emulator.url}{PATH}", data=data, method="GET" if data is None else "POST", headers=JSON
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def delay(emulator):
    """A long delay while the test runs (no test waits it out), off afterwards."""
    propagation(emulator, 300)
    yield
    propagation(emulator, 0)


def new_role(aws) -> str:
    return aws("iam").create_role(RoleName=f"prop-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=EKS_TRUST)["Role"][
        "Arn"
    ]


def test_a_new_role_is_refused_until_it_propagates(emulator, aws, delay):
    eks, role = aws("eks"), new_role(aws)
    name = f"prop-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ClientError) as refused:
        eks.create_cluster(name=name, roleArn=role, resourcesVpcConfig={"subnetIds": []})
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterException"
    assert error["Error"]["Message"] == (
        f"Role with arn: {role}, could not be assumed because it does not exist or the trusted entity is not correct"
    )
    assert name not in eks.list_clusters()["clusters"], "a refused CreateCluster must create nothing"
    assert propagation(emulator)["refused"] == 1

    propagation(emulator, 0)  # the role has now been visible for longer than the delay
    assert eks.create_cluster(name=name, roleArn=role, resourcesVpcConfig={"subnetIds": []})["cluster"]["name"] == name
    eks.delete_cluster(name=name)


def test_nodegroups_wait_for_their_node_role(emulator, aws, delay):
    eks = aws("eks")
    propagation(emulator, 0)
    cluster = f"prop-{uuid.uuid4().hex[:8]}"
    eks.create_cluster(name=cluster, roleArn=new_role(aws), resourcesVpcConfig={"subnetIds": []})
    propagation(emulator, 300)
    node_role = new_role(aws)
    with pytest.raises(ClientError, match="could not be assumed"):
        eks.create_nodegroup(clusterName=cluster, nodegroupName="general", subnets=["subnet-1"], nodeRole=node_role)
    assert eks.list_nodegroups(clusterName=cluster)["nodegroups"] == []
    eks.delete_cluster(name=cluster)


def test_roles_made_elsewhere_are_visible(aws, delay):
    """Only roles this emulator created are delayed: a made-up ARN is as accepted as before."""
    eks, name = aws("eks"), f"prop-{uuid.uuid4().hex[:8]}"
    eks.create_cluster(
        name=name, roleArn="arn:aws:iam::123456789012:role/elsewhere", resourcesVpcConfig={"subnetIds": []}
    )
    eks.delete_cluster(name=name)


@pytest.mark.parametrize("body", [{"seconds": "soon"}, {"seconds": -1}, {}])
def test_a_bad_setting_is_refused(emulator, body):
    request = urllib.request.Request(
        f"{emulator.url}{PATH}", data=json.dumps(body).encode(), method="POST", headers=JSON
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert "seconds" in json.loads(refused.value.read())["error"]


def test_bare_moto_lets_eks_use_a_role_at_once(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto delays a new role's use by EKS itself
    now: the fix can go."""
    role = bare_moto("iam").create_role(RoleName="marker-propagation", AssumeRolePolicyDocument=EKS_TRUST)["Role"]
    cluster = bare_moto("eks").create_cluster(
        name="marker-propagation", roleArn=role["Arn"], resourcesVpcConfig={"subnetIds": []}
    )["cluster"]
    assert cluster["roleArn"] == role["Arn"]
