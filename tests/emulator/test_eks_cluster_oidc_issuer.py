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
