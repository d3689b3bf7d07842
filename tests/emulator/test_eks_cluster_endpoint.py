"""emulator.fixes.eks_cluster_endpoint, over HTTP."""

import re


def test_each_cluster_has_its_own_endpoint(aws, clean_emulator):
    eks = aws("eks")
    endpoints = [
        eks.create_cluster(
            name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
        )["cluster"]["endpoint"]
        for name in ("staging", "prod")
    ]
    assert endpoints[0] != endpoints[1]
    shape = r"https://[0-9A-F]{32}\.gr7\.ap-northeast-2\.eks\.amazonaws\.com"
    assert all(re.fullmatch(shape, e) for e in endpoints), endpoints
    assert [eks.describe_cluster(name=n)["cluster"]["endpoint"] for n in ("staging", "prod")] == endpoints


def test_bare_moto_gives_every_cluster_the_same_endpoint(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto gives each cluster its own endpoint
    itself now: the fix can go."""
    eks = bare_moto("eks")
    endpoints = [
        eks.create_cluster(
            name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
        )["cluster"]["endpoint"]
        for name in ("marker-endpoint-staging", "marker-endpoint-prod")
    ]
    assert endpoints[0] == endpoints[1]
