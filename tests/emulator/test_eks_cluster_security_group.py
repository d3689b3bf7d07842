"""emulator.fixes.eks_cluster_security_group, over HTTP."""

import pytest
from botocore.exceptions import ClientError


def test_cluster_security_group_exists_in_ec2_and_goes_with_the_cluster(aws, clean_emulator):
    ec2, eks = aws("ec2"), aws("eks")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    cluster = eks.create_cluster(
        name="sg-probe",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": subnets},
    )["cluster"]
    group_id = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    tags = {t["Key"]: t["Value"] for t in group["Tags"]}
    assert group["VpcId"] == vpc
    assert group["GroupName"].startswith("eks-cluster-sg-sg-probe-")
    assert tags["aws:eks:cluster-name"] == "sg-probe"
    assert tags["kubernetes.io/cluster/sg-probe"] == "owned"
    assert [p["UserIdGroupPairs"][0]["GroupId"] for p in group["IpPermissions"]] == [group_id]

    eks.delete_cluster(name="sg-probe")
    with pytest.raises(ClientError) as err:
        ec2.describe_security_groups(GroupIds=[group_id])
    assert err.value.response["Error"]["Code"] == "InvalidGroup.NotFound"


def test_bare_moto_creates_no_cluster_security_group(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto creates the cluster security group
    itself now: the fix can go."""
    ec2, eks = bare_moto("ec2"), bare_moto("eks")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/24")["Subnet"]["SubnetId"]
    eks.create_cluster(
        name="marker-sg", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": [subnet]}
    )
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]
