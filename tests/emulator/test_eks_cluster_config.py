"""emulator.fixes.eks_cluster_config, over HTTP."""

import json

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def network(aws, clean_emulator):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]
    group = ec2.create_security_group(GroupName="eks", Description="eks", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "group": group}


@pytest.fixture
def eks(aws, network):
    client = aws("eks")
    client.create_cluster(
        name="demo", version="1.31", roleArn=ROLE, resourcesVpcConfig={"subnetIds": network["subnets"]}
    )
    return client


def _cluster(eks):
    return eks.describe_cluster(name="demo")["cluster"]


def _error(err):
    return err.value.response["Error"]["Code"]


def test_create_fills_documented_defaults(eks, network):
    cluster = _cluster(eks)
    vpc = cluster["resourcesVpcConfig"]
    assert vpc["subnetIds"] == network["subnets"]
    assert vpc["vpcId"] == network["vpc"]
    assert vpc["securityGroupIds"] == []
    assert vpc["clusterSecurityGroupId"].startswith("sg-")
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (True, False)
    assert vpc["publicAccessCidrs"] == ["0.0.0.0/0"]
    assert cluster["accessConfig"] == {
        "bootstrapClusterCreatorAdminPermissions": True,
        "authenticationMode": "CONFIG_MAP",
    }
    assert cluster["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.ap-northeast-2.amazonaws.com/id/")
    assert cluster["endpoint"].startswith("https://")
    assert cluster["certificateAuthority"]["data"]


def test_endpoint_update_merges_and_keeps_subnets(eks, network):
    update = eks.update_cluster_config(
        name="demo",
        resourcesVpcConfig={"endpointPrivateAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]},
    )["update"]
    assert update["type"] == "EndpointAccessUpdate"
    assert update["status"] == "Successful"
    params = {p["type"]: p["value"] for p in update["params"]}
    assert params["EndpointPrivateAccess"] == "true"
    assert json.loads(params["PublicAccessCidrs"]) == ["203.0.113.0/24"]

    vpc = _cluster(eks)["resourcesVpcConfig"]
    assert vpc["subnetIds"] == network["subnets"]
    assert vpc["vpcId"] == network["vpc"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (True, True)
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert eks.describe_update(name="demo", updateId=update["id"])["update"]["type"] == "EndpointAccessUpdate"


def test_security_group_update_is_a_vpc_config_update(eks, network):
    update = eks.update_cluster_config(name="demo", resourcesVpcConfig={"securityGroupIds": [network["group"]]})
    assert update["update"]["type"] == "VpcConfigUpdate"
    vpc = _cluster(eks)["resourcesVpcConfig"]
    assert vpc["securityGroupIds"] == [network["group"]]
    assert vpc["subnetIds"] == network["subnets"]


@pytest.mark.parametrize(
    "request_",
    [
        {"resourcesVpcConfig": {"endpointPublicAccess": True}},  # already so
        {"resourcesVpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": False}},
        {"logging": {"clusterLogging": [{"types": ["api"], "enabled": False}]}},  # already off
        {"resourcesVpcConfig": {"endpointPrivateAccess": True}, "logging": {"clusterLogging": []}},
    ],
)
def test_noop_or_invalid_config_update_is_rejected(eks, request_):
    with pytest.raises(ClientError) as err:
        eks.update_cluster_config(name="demo", **request_)
    assert _error(err) == "InvalidParameterException"


def test_logging_update(eks):
    update = eks.update_cluster_config(
        name="demo", logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]}
    )["update"]
    assert update["type"] == "LoggingUpdate"
    assert update["params"][0]["type"] == "ClusterLogging"
    logging = _cluster(eks)["logging"]["clusterLogging"]
    assert {"types": ["api", "audit"], "enabled": True} in logging
    assert {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False} in logging


def test_authentication_mode_moves_forward_only(eks):
    update = eks.update_cluster_config(name="demo", accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    assert update["update"]["type"] == "AccessConfigUpdate"
    assert update["update"]["params"] == [{"type": "AuthenticationMode", "value": "API_AND_CONFIG_MAP"}]
    assert _cluster(eks)["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"

    with pytest.raises(ClientError) as err:
        eks.update_cluster_config(name="demo", accessConfig={"authenticationMode": "CONFIG_MAP"})
    assert _error(err) == "InvalidParameterException"

    eks.update_cluster_config(name="demo", accessConfig={"authenticationMode": "API"})
    assert _cluster(eks)["accessConfig"]["authenticationMode"] == "API"


def test_authentication_mode_cannot_skip_a_step(eks):
    with pytest.raises(ClientError) as err:
        eks.update_cluster_config(name="demo", accessConfig={"authenticationMode": "API"})
    assert _error(err) == "InvalidParameterException"
    assert _cluster(eks)["accessConfig"]["authenticationMode"] == "CONFIG_MAP"


def test_associate_encryption_config_once(eks):
    config = [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]
    update = eks.associate_encryption_config(clusterName="demo", encryptionConfig=config)["update"]
    assert update["type"] == "AssociateEncryptionConfig"
    assert json.loads(update["params"][0]["value"]) == config
    assert _cluster(eks)["encryptionConfig"] == config
    with pytest.raises(ClientError) as err:
        eks.associate_encryption_config(clusterName="demo", encryptionConfig=config)
    assert _error(err) == "InvalidRequestException"


def test_update_of_unknown_cluster(eks):
    with pytest.raises(ClientError) as err:
        eks.update_cluster_config(name="nope", resourcesVpcConfig={"endpointPrivateAccess": True})
    assert _error(err) == "ResourceNotFoundException"


def test_bare_moto_stores_the_vpc_config_as_sent_and_replaces_it_on_update(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto fills the documented defaults, merges
    UpdateClusterConfig into the configuration and serves AssociateEncryptionConfig itself now: the fix can go."""
    ec2, eks = bare_moto("ec2"), bare_moto("eks")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.0.0/24")["Subnet"]["SubnetId"]
    created = eks.create_cluster(name="marker-config", roleArn=ROLE, resourcesVpcConfig={"subnetIds": [subnet]})
    assert created["cluster"]["resourcesVpcConfig"] == {"subnetIds": [subnet]}
    assert "accessConfig" not in created["cluster"]
    answer = eks.update_cluster_config(name="marker-config", resourcesVpcConfig={"endpointPrivateAccess": True})
    assert "update" not in answer
    assert eks.describe_cluster(name="marker-config")["cluster"]["resourcesVpcConfig"] == {
        "endpointPrivateAccess": True
    }
    with pytest.raises(ClientError) as err:
        eks.associate_encryption_config(
            clusterName="marker-config", encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}]
        )
    assert _error(err) == "404"  # no route: an HTML 404, not an EKS error
