"""EKS TagResource / UntagResource / ListTagsForResource for every taggable EKS resource.

What moto 5.2.5 does: the three tag operations only look at cluster ARNs; for a node group,
Fargate profile, add-on or access entry ARN they fail with a ResourceNotFoundException whose
message embeds another error. UntagResource also removes only the first of several ``tagKeys``
(the query string list is read with ``_get_param``, which returns its first element).

What AWS documents: clusters, managed node groups, Fargate profiles, add-ons, access entries,
identity provider configurations and pod identity associations are taggable, and the tag
operations answer NotFoundException (404) for an unknown ARN and BadRequestException for a
malformed one:
https://docs.aws.amazon.com/eks/latest/APIReference/API_TagResource.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_UntagResource.html
https://docs.aws.amazon.com/eks/latest/APIReference/API_ListTagsForResource.html
https://docs.aws.amazon.com/eks/latest/userguide/eks-using-tags.html

What the fix changes: the backend's three tag methods resolve any EKS resource ARN the emulator
knows (clusters, node groups, Fargate profiles, and the add-ons and access entries added by the
sibling fixes) and raise the documented errors; UntagResource honours every ``tagKeys`` value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from moto.core.responses import EmptyResult
from moto.eks.models import EKSBackend
from moto.eks.responses import EKSResponse

from emulator.fixes.eks_updates import BadRequestException, NotFoundException, state, wrap


def taggable_resources(eks: EKSBackend) -> Iterator[tuple[str, Any]]:
    """(arn, object with a ``tags`` dict) for every taggable resource in this backend."""
    for cluster in eks.clusters.values():
        yield cluster.arn, cluster
        for nodegroup in cluster.nodegroups.values():
            yield nodegroup.arn, nodegroup
        for profile in cluster.fargate_profiles.values():
            yield profile.fargate_profile_arn, profile
        for addon in state(cluster, "addons", dict).values():
            yield addon.arn, addon
        for entry in state(cluster, "access_entries", dict).values():
            yield entry.arn, entry


def find_taggable(eks: EKSBackend, arn: str) -> Any:
    if not arn.startswith("arn:") or ":eks:" not in arn:
        raise BadRequestException(message=f"{arn} is not a valid ARN")
    for candidate, resource in taggable_resources(eks):
        if candidate == arn:
            return resource
    raise NotFoundException(message=f"Resource was not found: {arn}")


def tag_resource(self: EKSBackend, resource_arn: str, tags: dict[str, str]) -> None:
    resource = find_taggable(self, resource_arn)
    resource.tags = {**(resource.tags or {}), **(tags or {})}


def untag_resource(self: EKSBackend, resource_arn: str, tag_keys: list[str]) -> None:
    resource = find_taggable(self, resource_arn)
    keys = [tag_keys] if isinstance(tag_keys, str) else list(tag_keys or [])
    resource.tags = {k: v for k, v in (resource.tags or {}).items() if k not in keys}


def list_tags_for_resource(self: EKSBackend, resource_arn: str) -> dict[str, str]:
    return dict(find_taggable(self, resource_arn).tags or {})


def _untag_response(original):
    def untag_resource_response(self: EKSResponse) -> EmptyResult:
        arn = "/".join(unquote(self.path).split("/")[2:])
        keys = self.querystring.get("tagKeys") or []
        self.eks_backend.untag_resource(arn, keys)
        return EmptyResult()

    return untag_resource_response


def apply() -> None:
    if EKSBackend.tag_resource is tag_resource:
        return
    EKSBackend.tag_resource = tag_resource
    EKSBackend.untag_resource = untag_resource
    EKSBackend.list_tags_for_resource = list_tags_for_resource
    wrap(EKSResponse, "untag_resource", _untag_response)
