"""EKS UpdateNodegroupVersion with a launch template and a Kubernetes or AMI release version.

What the emulator did (moto 5.2.5 has no UpdateNodegroupVersion; ``eks_updates`` adds it): a
request that names a launch template only moves the launch template version; ``version`` and
``releaseVersion`` sent alongside are silently dropped, so the node group keeps its old
Kubernetes version and AMI release while the update reports success.

What AWS documents
(https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html): ``version``
and ``releaseVersion`` may be given together with ``launchTemplate``; only when the launch
template uses a custom AMI must they be left out ("If you specify launchTemplate, and your launch
template uses a custom AMI, then don't specify version/releaseVersion, or the node group update
will fail"). With a version but no release version, the newest AMI release of that version is
used. https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html describes
the same rolling update for a new launch template version and a new AMI.

What the fix changes: after the launch template version is applied, a ``version`` and/or
``releaseVersion`` in the same request is applied too (for node groups whose ``amiType`` is not
CUSTOM) and reported in the update's ``Version``/``ReleaseVersion`` parameters.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.eks.responses import EKSResponse

from emulator.fixes import eks_updates
from emulator.fixes.eks_updates import backend, get_nodegroup, release_version_for, update_param, wrap


def _update_nodegroup_version(original):
    def update_nodegroup_version(self: EKSResponse) -> ActionResult:
        result = original(self)
        version = self._get_param("version")
        release_version = self._get_param("releaseVersion")
        if not self._get_param("launchTemplate") or not (version or release_version):
            return result
        nodegroup = get_nodegroup(backend(self), self._get_param("name"), self._get_param("nodegroupName"))
        if nodegroup.ami_type == "CUSTOM":
            return result
        if version:
            nodegroup.version = version
            nodegroup.release_version = release_version or release_version_for(version)
        else:
            nodegroup.release_version = release_version
        params = result.result["update"]["params"]
        params.append(update_param("Version", nodegroup.version))
        params.append(update_param("ReleaseVersion", nodegroup.release_version))
        return result

    return update_nodegroup_version


def apply() -> None:
    eks_updates.apply()  # defines update_nodegroup_version; this module sorts before it
    wrap(EKSResponse, "update_nodegroup_version", _update_nodegroup_version)
