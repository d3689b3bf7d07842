"""Which resources the stand-in serves: a fixed table of built-in kinds plus whatever CRDs define.

The table is what a chart for an EKS workload uses; it is the source of API discovery
(``/api``, ``/apis``, ``/api/v1``, ``/apis/<group>/<version>``) and of URL routing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclasses.dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    custom: bool = False  # served from a CRD: unstructured, no strategic merge patch

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def group_resource(self) -> str:
        """``deployments.apps`` — how errors name a resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery(self) -> list[dict[str, Any]]:
        entry = {
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(ALL_VERBS),
            "storageVersionHash": hashlib.sha256(f"{self.group}/{self.plural}".encode()).hexdigest()[:11],
        }
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        subs = []
        for sub in self.subresources:
            kind = "Scale" if sub == "scale" else self.kind
            sub_entry = {"name": f"{self.plural}/{sub}", "singularName": "", "namespaced": self.namespaced}
            sub_entry |= {"kind": kind, "verbs": ["get", "patch", "update"]}
            if sub == "scale":
                sub_entry |= {"group": "autoscaling", "version": "v1"}
            subs.append(sub_entry)
        return [entry, *subs]


def _r(group, version, plural, kind, namespaced=True, short=(), subs=(), cats=()):
    return Resource(group, version, plural, kind, namespaced, tuple(short), tuple(subs), tuple(cats))


ALL = ("all",)
BUILTIN: tuple[Resource, ...] = (
    _r("", "v1", "namespaces", "Namespace", False, ["ns"], ["status", "finalize"]),
    _r("", "v1", "configmaps", "ConfigMap", short=["cm"]),
    _r("", "v1", "secrets", "Secret"),
    _r("", "v1", "services", "Service", short=["svc"], subs=["status"], cats=ALL),
    _r("", "v1", "serviceaccounts", "ServiceAccount", short=["sa"]),
    _r("", "v1", "pods", "Pod", short=["po"], subs=["status"], cats=ALL),
    _r("", "v1", "endpoints", "Endpoints", short=["ep"]),
    _r("", "v1", "events", "Event", short=["ev"]),
    _r("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=["pvc"], subs=["status"]),
    _r("", "v1", "persistentvolumes", "PersistentVolume", False, ["pv"], ["status"]),
    _r("", "v1", "nodes", "Node", False, ["no"], ["status"]),
    _r("", "v1", "limitranges", "LimitRange", short=["limits"]),
    _r("", "v1", "resourcequotas", "ResourceQuota", short=["quota"], subs=["status"]),
    _r("apps", "v1", "deployments", "Deployment", short=["deploy"], subs=["status", "scale"], cats=ALL),
    _r("apps", "v1", "statefulsets", "StatefulSet", short=["sts"], subs=["status", "scale"], cats=ALL),
    _r("apps", "v1", "daemonsets", "DaemonSet", short=["ds"], subs=["status"], cats=ALL),
    _r("apps", "v1", "replicasets", "ReplicaSet", short=["rs"], subs=["status", "scale"], cats=ALL),
    _r("apps", "v1", "controllerrevisions", "ControllerRevision"),
    _r("batch", "v1", "jobs", "Job", subs=["status"], cats=ALL),
    _r("batch", "v1", "cronjobs", "CronJob", short=["cj"], subs=["status"], cats=ALL),
    _r("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=["hpa"], subs=["status"]),
    _r("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short=["pdb"], subs=["status"]),
    _r("networking.k8s.io", "v1", "ingresses", "Ingress", short=["ing"], subs=["status"]),
    _r("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    _r("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short=["netpol"]),
    _r("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    _r("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
    _r("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    _r("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    _r("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ["sc"]),
    _r("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False, ["pc"]),
    _r("coordination.k8s.io", "v1", "leases", "Lease"),
    _r("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    _r(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        ["crd", "crds"],
        ["status"],
    ),
)

# Kinds whose spec changes bump metadata.generation (those with a controller reporting observedGeneration).
GENERATION_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "NetworkPolicy",
        "CustomResourceDefinition",
        "Pod",
    }
)


def from_crd(crd: dict[str, Any]) -> list[Resource]:
    """The resources a CRD serves: one per served version, with its status/scale subresources."""
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    out = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        subs = tuple(s for s in ("status", "scale") if s in (version.get("subresources") or {}))
        out.append(
            Resource(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                kind=names["kind"],
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames", [])),
                subresources=subs,
                categories=tuple(names.get("categories", [])),
                custom=True,
            )
        )
    return out


class Registry:
    """Built-in resources plus those of established CRDs, looked up by URL parts or by kind."""

    def __init__(self) -> None:
        self._crd: dict[str, list[Resource]] = {}

    def reset(self) -> None:
        self._crd.clear()

    def add_crd(self, crd: dict[str, Any]) -> None:
        self._crd[crd["metadata"]["name"]] = from_crd(crd)

    def remove_crd(self, name: str) -> list[Resource]:
        return self._crd.pop(name, [])

    def all(self) -> list[Resource]:
        return [*BUILTIN, *(r for rs in self._crd.values() for r in rs)]

    def group_versions(self) -> dict[str, list[str]]:
        """{group: [versions, preferred first]} for every non-core group."""
        out: dict[str, list[str]] = {}
        for res in self.all():
            if res.group and res.version not in out.setdefault(res.group, []):
                out[res.group].append(res.version)
        return out

    def in_version(self, group: str, version: str) -> list[Resource]:
        return [r for r in self.all() if r.group == group and r.version == version]

    def find(self, group: str, version: str, plural: str) -> Resource | None:
        for res in self.all():
            if (res.group, res.version, res.plural) == (group, version, plural):
                return res
        return None

    def by_kind(self, group: str, kind: str) -> Resource | None:
        for res in self.all():
            if res.group == group and res.kind == kind:
                return res
        return None
