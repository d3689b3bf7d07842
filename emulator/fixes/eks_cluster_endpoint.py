"""EKS API server endpoint: one per cluster.

What moto does: the endpoint's random parts are drawn once when moto is imported
(``ENDPOINT_TEMPLATE``), so every cluster in the process reports the same ``endpoint`` (staging and
prod "share" an API server in every summary and kubeconfig), and it ends in a ``/`` that AWS's does
not have.

What AWS documents: DescribeCluster's ``endpoint`` is "the endpoint for your Kubernetes API server",
one per cluster; the AWS CLI's describe-cluster example shows its shape,
``https://<32 upper-case hex characters>.<3-character cell>.<region>.eks.amazonaws.com``
(e.g. ``https://A0DCCD80A04F01705DD065655C30CC3D.yl4.us-west-2.eks.amazonaws.com``):
https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html
https://docs.aws.amazon.com/cli/latest/reference/eks/describe-cluster.html

What the fix changes: CreateCluster gives the new cluster its own endpoint of that shape (fresh hex
id, cell ``gr7``, the cluster's region, no trailing slash).
"""

from moto.eks.models import EKSBackend
from moto.moto_api._internal import mock_random as random

from emulator.fixes import eks_updates


def _create_cluster(original):
    def create_cluster(self: EKSBackend, *args, **kwargs):
        cluster = original(self, *args, **kwargs)
        cluster.endpoint = f"https://{random.get_random_hex(32).upper()}.gr7.{self.region_name}.eks.amazonaws.com"
        return cluster

    return create_cluster


def apply() -> None:
    eks_updates.wrap(EKSBackend, "create_cluster", _create_cluster)
