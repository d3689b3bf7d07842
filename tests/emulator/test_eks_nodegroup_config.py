"""emulator.fixes.eks_nodegroup_config, over HTTP."""

import json

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks-nodes"


@pytest.fixture
def eks(aws, clean_emulator):
    return aws("eks")


@pytest.fixture
def subnets(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    return [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]


@pytest.fixture
def cluster(eks, subnets):
    eks.create_cluster(name="demo", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": subnets})
    return "demo"


def _create(eks, subnets, name="workers", **kwargs):
    eks.create_nodegroup(clusterName="demo", nodegroupName=name, nodeRole=ROLE, subnets=subnets, **kwargs)
    return eks.describe_nodegroup(clusterName="demo", nodegroupName=name)["nodegroup"]


def test_update_config_defaults_to_one_unavailable_node(eks, cluster, subnets):
    assert _create(eks, subnets)["updateConfig"] == {"maxUnavailable": 1}


def test_update_config_round_trips(eks, cluster, subnets):
    nodegroup = _create(eks, subnets, updateConfig={"maxUnavailablePercentage": 33})
    assert nodegroup["updateConfig"] == {"maxUnavailablePercentage": 33}


def test_settings_round_trip(eks, cluster, subnets):
    taints = [{"key": "dedicated", "value": "ci", "effect": "NO_SCHEDULE"}]
    nodegroup = _create(
        eks,
        subnets,
        labels={"role": "ci"},
        taints=taints,
        capacityType="SPOT",
        diskSize=50,
        amiType="AL2023_x86_64_STANDARD",
        instanceTypes=["m6i.large"],
        scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2},
        tags={"team": "f"},
    )
    assert nodegroup["labels"] == {"role": "ci"}
    assert nodegroup["taints"] == taints
    assert nodegroup["capacityType"] == "SPOT"
    assert nodegroup["diskSize"] == 50
    assert nodegroup["amiType"] == "AL2023_x86_64_STANDARD"
    assert nodegroup["instanceTypes"] == ["m6i.large"]
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 4, "desiredSize": 2}
    assert nodegroup["tags"] == {"team": "f"}


def test_version_follows_cluster_and_no_remote_access_is_invented(eks, cluster, subnets):
    nodegroup = _create(eks, subnets)
    assert nodegroup["version"] == "1.31"
    assert nodegroup["releaseVersion"].startswith("1.31.")
    assert "remoteAccess" not in nodegroup
    assert "remoteAccessSecurityGroup" not in nodegroup["resources"]


def test_launch_template_round_trips_without_invented_disk_or_instances(aws, eks, cluster, subnets):
    template = aws("ec2").create_launch_template(
        LaunchTemplateName="workers", LaunchTemplateData={"InstanceType": "m6i.large"}
    )["LaunchTemplate"]
    nodegroup = _create(eks, subnets, launchTemplate={"name": "workers"})
    assert nodegroup["launchTemplate"] == {"name": "workers", "id": template["LaunchTemplateId"], "version": "1"}
    assert "diskSize" not in nodegroup
    assert "instanceTypes" not in nodegroup


def test_unknown_launch_template_is_rejected(eks, cluster, subnets):
    with pytest.raises(ClientError) as err:
        _create(eks, subnets, launchTemplate={"id": "lt-0123456789abcdef0"})
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_default_scaling_config_is_not_shared(eks, cluster, subnets):
    _create(eks, subnets, name="a")
    _create(eks, subnets, name="b")
    eks.update_nodegroup_config(
        clusterName="demo", nodegroupName="a", scalingConfig={"minSize": 1, "maxSize": 5, "desiredSize": 3}
    )
    other = eks.describe_nodegroup(clusterName="demo", nodegroupName="b")["nodegroup"]
    assert other["scalingConfig"] == {"minSize": 2, "maxSize": 2, "desiredSize": 2}


def test_update_labels_and_taints(eks, cluster, subnets):
    _create(
        eks,
        subnets,
        labels={"keep": "1", "drop": "2", "change": "old"},
        taints=[{"key": "a", "value": "1", "effect": "NO_SCHEDULE"}, {"key": "b", "effect": "NO_EXECUTE"}],
    )
    update = eks.update_nodegroup_config(
        clusterName="demo",
        nodegroupName="workers",
        labels={"addOrUpdateLabels": {"change": "new", "add": "3"}, "removeLabels": ["drop"]},
        taints={
            "addOrUpdateTaints": [{"key": "a", "value": "2", "effect": "NO_SCHEDULE"}],
            "removeTaints": [{"key": "b", "effect": "NO_EXECUTE"}],
        },
    )["update"]
    assert update["status"] == "Successful"
    assert update["type"] == "ConfigUpdate"
    assert update["errors"] == []
    params = {p["type"]: p["value"] for p in update["params"]}
    assert json.loads(params["LabelsToAdd"]) == {"change": "new", "add": "3"}
    assert json.loads(params["LabelsToRemove"]) == ["drop"]
    assert json.loads(params["TaintsToAdd"]) == [{"key": "a", "value": "2", "effect": "NO_SCHEDULE"}]
    assert json.loads(params["TaintsToRemove"]) == [{"key": "b", "effect": "NO_EXECUTE"}]

    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["labels"] == {"keep": "1", "change": "new", "add": "3"}
    assert nodegroup["taints"] == [{"key": "a", "value": "2", "effect": "NO_SCHEDULE"}]


def test_update_scaling_and_update_config(eks, cluster, subnets):
    _create(eks, subnets, scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1})
    update = eks.update_nodegroup_config(
        clusterName="demo",
        nodegroupName="workers",
        scalingConfig={"minSize": 2, "maxSize": 6, "desiredSize": 3},
        updateConfig={"maxUnavailablePercentage": 50},
    )["update"]
    params = {p["type"]: p["value"] for p in update["params"]}
    assert params == {"MinSize": "2", "MaxSize": "6", "DesiredSize": "3", "MaxUnavailablePercentage": "50"}
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 6, "desiredSize": 3}
    assert nodegroup["updateConfig"] == {"maxUnavailablePercentage": 50}
    described = eks.describe_update(name="demo", nodegroupName="workers", updateId=update["id"])["update"]
    assert described["id"] == update["id"]


@pytest.mark.parametrize(
    "scaling",
    [
        {"minSize": 3, "maxSize": 5, "desiredSize": 2},
        {"minSize": 1, "maxSize": 2, "desiredSize": 3},
        {"minSize": 4, "maxSize": 3, "desiredSize": 3},
    ],
)
def test_inconsistent_scaling_is_rejected(eks, cluster, subnets, scaling):
    _create(eks, subnets, scalingConfig={"minSize": 1, "maxSize": 2, "desiredSize": 1})
    with pytest.raises(ClientError) as err:
        eks.update_nodegroup_config(clusterName="demo", nodegroupName="workers", scalingConfig=scaling)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    nodegroup = eks.describe_nodegroup(clusterName="demo", nodegroupName="workers")["nodegroup"]
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 2, "desiredSize": 1}


def test_update_of_unknown_nodegroup(eks, cluster):
    with pytest.raises(ClientError) as err:
        eks.update_nodegroup_config(clusterName="demo", nodegroupName="nope", labels={"removeLabels": ["x"]})
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_bare_moto_invents_nodegroup_settings_and_shares_their_defaults(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto stores node group settings as
    requested, each node group its own, and validates and records UpdateNodegroupConfig itself now: the fix can
    go."""
    eks = bare_moto("eks")
    eks.create_cluster(name="marker-nodegroups", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": []})
    for name in ("a", "b"):
        eks.create_nodegroup(clusterName="marker-nodegroups", nodegroupName=name, nodeRole=ROLE, subnets=["subnet-1"])
    nodegroup = eks.describe_nodegroup(clusterName="marker-nodegroups", nodegroupName="a")["nodegroup"]
    assert not nodegroup.get("updateConfig")
    assert "remoteAccess" in nodegroup
    assert nodegroup["version"] != "1.31"

    inconsistent = {"minSize": 3, "maxSize": 1, "desiredSize": 5}
    update = eks.update_nodegroup_config(
        clusterName="marker-nodegroups", nodegroupName="a", scalingConfig=inconsistent
    )["update"]
    assert [p["type"] for p in update["params"]] == ["ScalingConfig"]  # AWS: MinSize, MaxSize, DesiredSize
    other = eks.describe_nodegroup(clusterName="marker-nodegroups", nodegroupName="b")["nodegroup"]
    assert other["scalingConfig"] == inconsistent
