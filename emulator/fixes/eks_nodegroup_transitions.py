"""EKS managed node groups take time to become ACTIVE.

What moto does: CreateNodegroup answers a node group that is ``ACTIVE`` at once, so a caller's
wait for ACTIVE never waits, and code that must tell "being created" from "ready" (a rerun after an
interrupted create, a wait that should be skipped when nothing was started) is never exercised.

What AWS documents: a new node group is ``CREATING`` until its Auto Scaling group's nodes joined the
cluster, then ``ACTIVE`` (https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html,
``status``: CREATING | ACTIVE | UPDATING | DELETING | CREATE_FAILED | DELETE_FAILED | DEGRADED);
creating one "takes several minutes" (https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html).
The ``nodegroup_active`` waiter of the SDK polls DescribeNodegroup until then.

What the fix changes: with ``TEAMF_EMULATOR_EKS_NODEGROUP_CREATE_SECONDS`` (default 0: moto's
instant ACTIVE, so the demo and the tests that do not ask for it pay nothing) a new node group reads
``CREATING`` for that many seconds of wall time after CreateNodegroup, then ``ACTIVE``.
"""

from __future__ import annotations

import os
import time

from moto.eks.models import EKSBackend

from emulator.fixes import eks_updates

ENV = "TEAMF_EMULATOR_EKS_NODEGROUP_CREATE_SECONDS"
READY_AT = "_teamf_ready_at"


def create_seconds() -> float:
    try:
        return max(float(os.environ.get(ENV) or 0), 0.0)
    except ValueError:
        return 0.0


def settle(nodegroup) -> None:
    """CREATING until the node group's ready time, then ACTIVE (other states are left as they are)."""
    ready_at = getattr(nodegroup, READY_AT, None)
    if ready_at is None:
        return
    if time.time() < ready_at:
        nodegroup.status = "CREATING"
    else:
        if nodegroup.status == "CREATING":
            nodegroup.status = "ACTIVE"
        delattr(nodegroup, READY_AT)


def _create_nodegroup(original):
    def create_nodegroup(self: EKSBackend, *args, **kwargs):
        nodegroup = original(self, *args, **kwargs)
        seconds = create_seconds()
        if seconds:
            setattr(nodegroup, READY_AT, time.time() + seconds)
            settle(nodegroup)
        return nodegroup

    return create_nodegroup


def _describe_nodegroup(original):
    def describe_nodegroup(self: EKSBackend, *args, **kwargs):
        nodegroup = original(self, *args, **kwargs)
        settle(nodegroup)
        return nodegroup

    return describe_nodegroup


def apply() -> None:
    eks_updates.wrap(EKSBackend, "create_nodegroup", _create_nodegroup)
    eks_updates.wrap(EKSBackend, "describe_nodegroup", _describe_nodegroup)
