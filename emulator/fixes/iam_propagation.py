"""IAM eventual consistency: a role just created is not yet usable by the services that assume it.

What moto does: an IAM role is visible to every service the moment CreateRole returns, so code that
hands a new role to EKS at once has never met the error AWS answers in the seconds after.

What AWS documents: IAM is eventually consistent; "changes that you make might not be immediately
visible" to other services, and code should "verify that the changes have been propagated before
production workflows depend on them":
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
EKS then refuses CreateCluster and CreateNodegroup with ``InvalidParameterException`` (HTTP 400):
"Role with arn: <arn>, could not be assumed because it does not exist or the trusted entity is not
correct" (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html#API_CreateCluster_Errors),
which the Terraform AWS provider and eksctl retry until the role propagates.

What the fix changes: a propagation delay, 0 (off) unless set, in seconds. While a role is younger
than the delay, CreateCluster (``roleArn``) and CreateNodegroup (``nodeRole``) naming it fail as
above. Roles the emulator did not create in this process (or made before the delay was set) are
as visible as before. The delay is set at start through ``TEAMF_EMULATOR_IAM_PROPAGATION_SECONDS``
or at run time, on the emulator (never faulted, like all of ``/moto-api/``):

    GET  /moto-api/teamf/iam-propagation                 → {"seconds": S, "refused": N}
    POST /moto-api/teamf/iam-propagation {"seconds": S}  → the same; N (refusals so far) back to 0
                                                           (Content-Type: application/json)
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from moto.eks.exceptions import InvalidParameterException
from moto.eks.models import EKSBackend
from moto.iam.models import IAMBackend

from emulator.fixes import eks_updates

ENV = "TEAMF_EMULATOR_IAM_PROPAGATION_SECONDS"
PATH = "/moto-api/teamf/iam-propagation"


class Propagation:
    """When each role was created, and whether it is visible yet."""

    def __init__(self, seconds: float = 0.0, clock=time.monotonic):
        self.seconds = seconds
        self.refused = 0
        self._clock = clock
        self._created: dict[str, float] = {}
        self._lock = threading.Lock()

    def created(self, arn: str) -> None:
        with self._lock:
            self._created[arn] = self._clock()

    def check(self, arn: str | None) -> None:
        """Raise EKS's InvalidParameterException while ``arn`` is a role younger than the delay."""
        with self._lock:
            born = self._created.get(arn or "")
            if born is None or self._clock() - born >= self.seconds:
                return
            self.refused += 1
        raise InvalidParameterException(
            message=f"Role with arn: {arn}, could not be assumed because it does not exist or the trusted entity "
            "is not correct"
        )

    def configure(self, seconds: float) -> dict[str, Any]:
        with self._lock:
            self.seconds, self.refused = seconds, 0
        return self.status()

    def status(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "refused": self.refused}


def _seconds(raw: Any) -> float:
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"seconds must be a number, not {raw!r}") from None
    if not 0 <= seconds <= 600:
        raise ValueError(f"seconds must be between 0 and 600, not {seconds}")
    return seconds


PROPAGATION = Propagation()


def _create_role(original):
    def create_role(self: IAMBackend, *args, **kwargs):
        role = original(self, *args, **kwargs)
        PROPAGATION.created(role.arn)
        return role

    return create_role


def _create_cluster(original):
    def create_cluster(self: EKSBackend, *args, **kwargs):
        PROPAGATION.check(kwargs.get("role_arn", args[1] if len(args) > 1 else None))
        return original(self, *args, **kwargs)

    return create_cluster


def _create_nodegroup(original):
    def create_nodegroup(self: EKSBackend, *args, **kwargs):
        PROPAGATION.check(kwargs.get("node_role", args[1] if len(args) > 1 else None))
        return original(self, *args, **kwargs)

    return create_nodegroup


def endpoint(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``GET/POST /moto-api/teamf/iam-propagation`` (moto_api url handler)."""
    json_headers = {"Content-Type": "application/json"}
    if request.method == "GET":
        return 200, json_headers, json.dumps(PROPAGATION.status())
    if request.method == "POST":
        try:
            seconds = _seconds(json.loads(request.data or b"{}").get("seconds"))
        except (ValueError, AttributeError) as exc:
            return 400, json_headers, json.dumps({"error": f'send {{"seconds": S}}: {exc}'})
        return 200, json_headers, json.dumps(PROPAGATION.configure(seconds))
    return 405, json_headers, json.dumps({"error": 'use GET (status) or POST {"seconds": S}'})


def apply() -> None:
    from moto.moto_api._internal import urls as moto_api_urls

    if os.environ.get(ENV):
        PROPAGATION.configure(_seconds(os.environ[ENV]))
    moto_api_urls.url_paths.setdefault("{0}" + PATH, endpoint)
    eks_updates.wrap(IAMBackend, "create_role", _create_role)
    eks_updates.wrap(EKSBackend, "create_cluster", _create_cluster, parameters=("name", "role_arn"))
    eks_updates.wrap(EKSBackend, "create_nodegroup", _create_nodegroup, parameters=("cluster_name", "node_role"))
