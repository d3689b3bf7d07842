"""EKS cluster security group: a real EC2 security group, created and deleted with the cluster.

What moto (with ``eks_cluster_config``) does: DescribeCluster reports a generated
``clusterSecurityGroupId`` that does not exist in EC2, so anything that references it (a node
security group rule from the control plane, a launch template) fails.

What AWS documents: creating a cluster creates a security group named
``eks-cluster-sg-<cluster>-<id>`` in the cluster's VPC, tagged ``aws:eks:cluster-name`` and
``kubernetes.io/cluster/<cluster>=owned``, allowing all traffic from itself; EKS deletes it with the
cluster:
https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html

What the fix changes: after CreateCluster, the group is created in moto's EC2 and its id replaces
the generated one; DeleteCluster deletes it.
"""

import contextlib

from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError
from moto.ec2.models import ec2_backends
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import mock_random as random

from emulator.fixes import eks_cluster_config, eks_updates

DESCRIPTION = (
    "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, "
    "as well as any managed workloads."
)


def _ec2(response: EKSResponse):
    return ec2_backends[response.current_account][response.region]


def _create_cluster(original):
    def create_cluster(self: EKSResponse):
        result = original(self)
        cluster = result.result["cluster"]
        vpc_id = cluster.resources_vpc_config.get("vpcId")
        if vpc_id:
            name = f"eks-cluster-sg-{cluster.name}-{random.get_random_hex(10)}"
            tags = {
                "Name": name,
                "aws:eks:cluster-name": cluster.name,
                f"kubernetes.io/cluster/{cluster.name}": "owned",
            }
            group = _ec2(self).create_security_group(name, DESCRIPTION, vpc_id=vpc_id, tags=tags)
            _ec2(self).authorize_security_group_ingress(
                group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}], vpc_id=vpc_id
            )
            cluster.resources_vpc_config["clusterSecurityGroupId"] = group.id
        return result

    return create_cluster


def _delete_cluster(original):
    def delete_cluster(self: EKSResponse):
        name = self._get_param("name")
        cluster = self.eks_backend.clusters.get(name)
        group_id = cluster.resources_vpc_config.get("clusterSecurityGroupId") if cluster else None
        result = original(self)
        if group_id:
            with contextlib.suppress(InvalidSecurityGroupNotFoundError):  # already deleted by hand
                _ec2(self).delete_security_group(group_id=group_id)
        return result

    return delete_cluster


def apply() -> None:
    # Must wrap outside eks_cluster_config, which fills resourcesVpcConfig (vpcId) first.
    eks_cluster_config.apply()
    eks_updates.wrap(EKSResponse, "create_cluster", _create_cluster)
    eks_updates.wrap(EKSResponse, "delete_cluster", _delete_cluster)
