"""emulator.fixes.eks_cluster_oidc_issuer, over HTTP."""

import re


def test_each_cluster_has_its_own_issuer(aws, clean_emulator):
    eks = aws("eks")
    issuers = [
        eks.create_cluster(
            name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
        )["cluster"]["identity"]["oidc"]["issuer"]
        for name in ("one", "two")
    ]
    assert issuers[0] != issuers[1]
    assert all(re.fullmatch(r"https://oidc\.eks\.ap-northeast-2\.amazonaws\.com/id/[0-9A-F]{32}", i) for i in issuers)
    assert eks.describe_cluster(name="one")["cluster"]["identity"]["oidc"]["issuer"] == issuers[0]


def test_bare_moto_gives_every_cluster_the_same_issuer(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto gives each cluster its own issuer
    itself now: the fix can go."""
    eks = bare_moto("eks")
    issuers = [
        eks.create_cluster(
            name=name, roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
        )["cluster"]["identity"]["oidc"]["issuer"]
        for name in ("marker-issuer-one", "marker-issuer-two")
    ]
    assert issuers[0] == issuers[1]
