"""EKS OIDC issuer: one per cluster.

What moto does: the issuer URL's id is drawn once when moto is imported, so every cluster in the
process reports the same ``identity.oidc.issuer``; two clusters' IAM OIDC providers (one per issuer,
as IRSA requires) collide.

What AWS documents: each cluster has its own OpenID Connect issuer URL,
``https://oidc.eks.<region>.amazonaws.com/id/<32 hex upper-case characters>``:
https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_OIDC.html

What the fix changes: CreateCluster gives the new cluster an issuer with a fresh id.
"""

from moto.eks.models import EKSBackend
from moto.moto_api._internal import mock_random as random

from emulator.fixes import eks_updates


def _create_cluster(original):
    def create_cluster(self: EKSBackend, *args, **kwargs):
        cluster = original(self, *args, **kwargs)
        issuer_id = random.get_random_hex(32).upper()
        cluster.identity = {"oidc": {"issuer": f"https://oidc.eks.{self.region_name}.amazonaws.com/id/{issuer_id}"}}
        return cluster

    return create_cluster


def apply() -> None:
    eks_updates.wrap(EKSBackend, "create_cluster", _create_cluster)
