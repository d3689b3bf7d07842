"""The object store: what the API server does between decoding a request and encoding the answer.

Every write goes through one admission pipeline (``_admit``): identity checks (kind, name and
namespace against the URL), field validation against the 1.32 schemas, defaulting, system metadata
(uid, resourceVersion, creationTimestamp, generation), optimistic concurrency on
``metadata.resourceVersion``, status/main-resource separation for kinds with a ``status``
subresource, and immutability of the fields real clusters refuse to change. A write that changes
nothing keeps its resourceVersion and emits no watch event, as on a real server.

Deletion honours finalizers (the object stays with ``deletionTimestamp`` until they are removed),
cascades to objects whose ``ownerReferences`` point at the deleted uid (unless
``propagationPolicy=Orphan``), and makes namespaces ``Terminating`` until their content is gone.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import dataclasses
import datetime
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from emulator.kube import defaults, patch, schema
from emulator.kube.resources import GENERATION_KINDS, Registry, Resource
from emulator.kube.selectors import SelectorError, field_matcher, label_matcher

Key = tuple[str, str, str, str]  # group, plural, namespace ("" when cluster-scoped), name
HISTORY = 2000
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME_KINDS = {"Namespace", "Service"}
_PATH_SEGMENT_KINDS = {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def status(self) -> dict[str, Any]:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure"}
        body |= {"message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def not_found(res: Resource, name: str) -> ApiError:
    details = {"name": name, "group": res.group, "kind": res.plural}
    return ApiError(404, "NotFound", f'{res.group_resource} "{name}" not found', details)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


@dataclasses.dataclass
class Event:
    rv: int
    type: str
    group: str
    plural: str
    obj: dict[str, Any]
    old: dict[str, Any] | None


@dataclasses.dataclass
class WriteOptions:
    dry_run: bool = False
    field_validation: str = "Warn"
    field_manager: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


class Store:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.hooks: list[Callable[[Resource, dict[str, Any] | None, dict[str, Any] | None], None]] = []
        self.reset()

    # --- bookkeeping ------------------------------------------------------------------------

    def reset(self) -> None:
        self.objects: dict[Key, dict[str, Any]] = {}
        self.applied: dict[tuple[Key, str], dict[str, Any]] = {}
        self.rv = 100
        self.history: collections.deque[Event] = collections.deque(maxlen=HISTORY)
        self.watchers: set[asyncio.Queue[Event]] = set()
        self.registry.reset()

    def _key(self, res: Resource, namespace: str | None, name: str) -> Key:
        return (res.group, res.plural, namespace or "" if res.namespaced else "", name)

    def _emit(self, type_: str, res: Resource, obj: dict[str, Any], old: dict[str, Any] | None, system=False) -> None:
        event = Event(int(obj["metadata"]["resourceVersion"]), type_, res.group, res.plural, obj, old)
        self.history.append(event)
        for queue in self.watchers:
            queue.put_nowait(event)
        if system:  # controllers react to users' writes, not to each other's status updates
            return
        for hook in self.hooks:
            hook(res, None if type_ == "DELETED" else obj, old)

    def _next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def view(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        """The stored object as seen through ``res`` (CRD versions share storage; no conversion)."""
        out = copy.deepcopy(obj)
        out["apiVersion"] = res.api_version
        out["kind"] = res.kind
        return out

    # --- reads ------------------------------------------------------------------------------

    def get(self, res: Resource, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self.objects.get(self._key(res, namespace, name))
        if obj is None:
            raise not_found(res, name)
        return self.view(res, obj)

    def matcher(self, label_selector: str | None, field_selector: str | None) -> Callable[[dict[str, Any]], bool]:
        try:
            labels = label_matcher(label_selector)
            fields = field_matcher(field_selector)
        except SelectorError as exc:
            raise ApiError(400, "BadRequest", str(exc)) from exc
        return lambda obj: labels(obj["metadata"].get("labels") or {}) and fields(obj)

    def list(self, res: Resource, namespace: str | None, match: Callable[[dict[str, Any]], bool]):
        items = [
            self.view(res, obj)
            for (group, plural, ns, _), obj in sorted(self.objects.items())
            if (group, plural) == (res.group, res.plural) and (not namespace or ns == namespace) and match(obj)
        ]
        return items, str(self.rv)

    # --- writes -----------------------------------------------------------------------------

    def create(self, res: Resource, namespace: str | None, body: Any, opts: WriteOptions) -> dict[str, Any]:
        obj = self._decode(res, body, opts)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = f"{meta['generateName']}{uuid.uuid4().hex[:5]}"
        name = meta.get("name")
        if not name:
            raise ApiError(422, "Invalid", f"{res.kind} is invalid: metadata.name: Required value: name is required")
        self._check_namespace(res, namespace, obj, creating=True)
        key = self._key(res, namespace, name)
        if key in self.objects:
            details = {"name": name, "group": res.group, "kind": res.plural}
            raise ApiError(409, "AlreadyExists", f'{res.group_resource} "{name}" already exists', details)
        obj = self._admit(res, obj, None, opts, subresource=None)
        if opts.field_manager and opts.field_manager.endswith("@apply"):
            self.applied[(key, opts.field_manager)] = body
        return self._store(res, key, obj, None, opts)

    def replace(
        self, res: Resource, namespace: str | None, name: str, body: Any, opts: WriteOptions, subresource=None
    ) -> dict[str, Any]:
        key = self._key(res, namespace, name)
        old = self.objects.get(key)
        if old is None:
            raise not_found(res, name)
        obj = self._decode(res, body, opts)
        self._check_identity(res, namespace, name, obj)
        wanted_rv = obj.get("metadata", {}).get("resourceVersion")
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise self._conflict(res, name)
        return self._write(res, key, obj, old, opts, subresource)

    def patch(
        self,
        res: Resource,
        namespace: str | None,
        name: str,
        content_type: str,
        body: Any,
        opts: WriteOptions,
        subresource=None,
        force: bool = False,
    ) -> dict[str, Any]:
        key = self._key(res, namespace, name)
        old = self.objects.get(key)
        node = None if res.custom else schema.root(res.group, res.version, res.kind)
        if content_type == "application/apply-patch+yaml":
            if not isinstance(body, dict):
                raise ApiError(400, "BadRequest", "apply patch must be a YAML or JSON object")
            manager = opts.field_manager
            if not manager:
                raise ApiError(422, "Invalid", "PATCH is invalid: fieldManager: Required value: is required for apply")
            opts.field_manager = f"{manager}@apply"
            if old is None:
                body = copy.deepcopy(body)
                body.setdefault("metadata", {}).setdefault("name", name)
                if res.namespaced:
                    body["metadata"].setdefault("namespace", namespace)
                return self.create(res, namespace, body, opts)
            previous = self.applied.get((key, opts.field_manager))
            merged = patch.server_side_apply(self.view(res, old), body, previous, node)
            result = self._write(res, key, merged, old, opts, subresource, patching=True)
            if not opts.dry_run:
                self.applied[(key, opts.field_manager)] = copy.deepcopy(body)
            return result
        if old is None:
            raise not_found(res, name)
        current = self.view(res, old)
        try:
            if content_type == "application/json-patch+json":
                merged = patch.json_patch(current, body)
            elif content_type == "application/merge-patch+json":
                merged = patch.merge_patch(current, body)
            elif content_type == "application/strategic-merge-patch+json":
                if res.custom:
                    raise ApiError(
                        415, "UnsupportedMediaType", "strategic merge patch is not supported for custom resources"
                    )
                merged = patch.strategic_merge(current, body, node)
            else:
                raise ApiError(
                    415, "UnsupportedMediaType", f"the body of the request was in an unknown format: {content_type}"
                )
        except patch.PatchError as exc:
            raise ApiError(422, "Invalid", str(exc)) from exc
        if not isinstance(merged, dict):
            raise ApiError(422, "Invalid", "the patch did not yield an object")
        wanted_rv = (body.get("metadata") or {}).get("resourceVersion") if isinstance(body, dict) else None
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise self._conflict(res, name)
        self._check_identity(res, namespace, name, merged)
        return self._write(res, key, merged, old, opts, subresource, patching=True)

    def delete(
        self, res: Resource, namespace: str | None, name: str, opts: WriteOptions, propagation: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Delete (or mark for deletion); returns (object as left, whether it is gone)."""
        key = self._key(res, namespace, name)
        old = self.objects.get(key)
        if old is None:
            raise not_found(res, name)
        if opts.dry_run:
            return self.view(res, old), True
        pending = bool(old["metadata"].get("finalizers")) or (
            res.kind == "Namespace" and bool(old.get("spec", {}).get("finalizers"))
        )
        if pending:
            if not old["metadata"].get("deletionTimestamp"):
                obj = copy.deepcopy(old)
                obj["metadata"]["deletionTimestamp"] = now()
                obj["metadata"]["deletionGracePeriodSeconds"] = 0
                if res.kind == "Namespace":
                    obj.setdefault("status", {})["phase"] = "Terminating"
                obj["metadata"]["resourceVersion"] = self._next_rv()
                self.objects[key] = obj
                self._emit("MODIFIED", res, obj, old)
            return self.view(res, self.objects[key]), False
        self.remove(res, key, propagation)
        return self.view(res, old), True

    def remove(self, res: Resource, key: Key, propagation: str | None = None) -> None:
        old = self.objects.pop(key, None)
        if old is None:
            return
        for applied_key in [k for k in self.applied if k[0] == key]:
            del self.applied[applied_key]
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._emit("DELETED", res, gone, old)
        if propagation != "Orphan":
            self._collect_garbage(old["metadata"]["uid"])

    def _collect_garbage(self, owner_uid: str) -> None:
        for key, obj in list(self.objects.items()):
            refs = obj["metadata"].get("ownerReferences") or []
            if any(ref.get("uid") == owner_uid for ref in refs) and key in self.objects:
                res = self._resource_of(key, obj)
                if res is not None:
                    self.delete(res, key[2] or None, key[3], WriteOptions())

    def _resource_of(self, key: Key, obj: dict[str, Any]) -> Resource | None:
        group, version = obj["apiVersion"].split("/", 1) if "/" in obj["apiVersion"] else ("", obj["apiVersion"])
        return self.registry.find(group, version, key[1]) or next(
            (r for r in self.registry.all() if (r.group, r.plural) == (key[0], key[1])), None
        )

    def system_write(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any] | None:
        """A controller's write (status, generated children): no validation, keeps identity."""
        key = self._key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"])
        old = self.objects.get(key)
        obj = strip_nulls(copy.deepcopy(obj))
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        meta = obj["metadata"]
        if old is None:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now())
            if res.kind in GENERATION_KINDS or res.custom:
                meta.setdefault("generation", 1)
        else:
            if self._same(old, obj):
                return old
        meta["resourceVersion"] = self._next_rv()
        self.objects[key] = obj
        self._emit("MODIFIED" if old else "ADDED", res, obj, old, system=True)
        return obj

    # --- the admission pipeline -------------------------------------------------------------

    def _decode(self, res: Resource, body: Any, opts: WriteOptions) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", f"the body of the request could not be decoded as a {res.kind}")
        group, _, version = body.get("apiVersion", res.api_version).rpartition("/")
        kind = body.get("kind", res.kind)
        if kind != res.kind or group != res.group:
            raise ApiError(
                400,
                "BadRequest",
                f"the API version in the data ({body.get('apiVersion')}) does not match the expected API version "
                f"({res.api_version})"
                if kind == res.kind
                else f"{kind} in version {version!r} cannot be handled as a {res.kind}: no kind {kind!r} is registered",
            )
        return copy.deepcopy(body)

    def _check_identity(self, res: Resource, namespace: str | None, name: str, obj: dict[str, Any]) -> None:
        meta = obj.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise ApiError(
                400,
                "BadRequest",
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})",
            )
        meta["name"] = name
        self._check_namespace(res, namespace, obj, creating=False)

    def _check_namespace(self, res: Resource, namespace: str | None, obj: dict[str, Any], creating: bool) -> None:
        meta = obj["metadata"]
        if not res.namespaced:
            meta.pop("namespace", None)
            return
        if meta.get("namespace") and namespace and meta["namespace"] != namespace:
            raise ApiError(
                400,
                "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the request",
            )
        meta["namespace"] = namespace or meta.get("namespace") or "default"
        if creating:
            ns = self.objects.get(("", "namespaces", "", meta["namespace"]))
            if ns is None:
                details = {"name": meta["namespace"], "kind": "namespaces"}
                raise ApiError(404, "NotFound", f'namespaces "{meta["namespace"]}" not found', details)
            if ns["metadata"].get("deletionTimestamp"):
                raise ApiError(
                    403,
                    "Forbidden",
                    f'{res.plural} "{meta.get("name")}" is forbidden: unable to create new content in namespace '
                    f"{meta['namespace']} because it is being terminated",
                )

    def _validate(self, res: Resource, obj: dict[str, Any], opts: WriteOptions) -> dict[str, Any]:
        if res.custom:
            return obj
        obj = strip_nulls(obj)
        unknown = schema.unknown_fields(obj, res.group, res.version, res.kind)
        if unknown:
            names = [schema.format_path(p, f) for p, f in unknown]
            if opts.field_validation == "Strict":
                fields = ", ".join(f'unknown field "{n}"' for n in names)
                raise ApiError(
                    400,
                    "BadRequest",
                    f"{res.kind} in version {res.version!r} cannot be handled as a {res.kind}: "
                    f"strict decoding error: {fields}",
                )
            if opts.field_validation != "Ignore":
                opts.warnings.extend(f'unknown field "{n}"' for n in names)
            for path, field in unknown:  # decoding into Go structs drops them
                parent: Any = obj
                for part in path:
                    parent = parent[part]
                parent.pop(field, None)
        errors = schema.type_errors(obj, res.group, res.version, res.kind)
        if errors:
            name = obj.get("metadata", {}).get("name", "")
            raise ApiError(
                422,
                "Invalid",
                f'{res.kind} "{name}" is invalid: {"; ".join(errors[:5])}',
                {"name": name, "group": res.group, "kind": res.kind},
            )
        return obj

    def _check_name(self, res: Resource, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        if res.kind in _PATH_SEGMENT_KINDS:
            ok = name not in (".", "..") and "/" not in name and "%" not in name
        elif res.kind in _LABEL_NAME_KINDS:
            ok = len(name) <= 63 and bool(_DNS_LABEL.match(name))
        else:
            ok = len(name) <= 253 and bool(_DNS_SUBDOMAIN.match(name))
        if not ok:
            raise ApiError(
                422,
                "Invalid",
                f'{res.kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase RFC 1123 '
                "name must consist of lower case alphanumeric characters, '-' or '.'",
                {"name": name, "group": res.group, "kind": res.kind},
            )

    def _admit(self, res, obj, old, opts, subresource) -> dict[str, Any]:
        obj = self._validate(res, obj, opts)
        meta = obj["metadata"]
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        if old is None:
            self._check_name(res, obj)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            for transient in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                meta.pop(transient, None)
            if "status" in res.subresources and res.kind != "Namespace":
                obj.pop("status", None)
            if res.kind in GENERATION_KINDS or res.custom:
                meta["generation"] = 1
        else:
            old_meta = old["metadata"]
            for kept in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                if kept in old_meta:
                    meta[kept] = old_meta[kept]
                else:
                    meta.pop(kept, None)
            if subresource == "status":
                obj = {**copy.deepcopy(old), "status": obj.get("status", {})}
            elif "status" in res.subresources:
                if "status" in old:
                    obj["status"] = copy.deepcopy(old["status"])
                else:
                    obj.pop("status", None)
            self._check_immutable(res, obj, old)
            if "generation" in meta and self._spec(obj) != self._spec(old):
                meta["generation"] = old_meta.get("generation", 1) + 1
        defaults.apply(res.kind, obj)
        if res.kind == "Namespace":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj.setdefault("status", {}).setdefault("phase", "Active")
        if res.kind == "CustomResourceDefinition":
            self._check_crd(obj)
        return obj

    def _check_crd(self, obj: dict[str, Any]) -> None:
        spec = obj.get("spec", {})
        expected = f"{spec.get('names', {}).get('plural')}.{spec.get('group')}"
        if obj["metadata"]["name"] != expected:
            raise ApiError(
                422,
                "Invalid",
                f'CustomResourceDefinition.apiextensions.k8s.io "{obj["metadata"]["name"]}" is invalid: '
                f'metadata.name: Invalid value: must be spec.names.plural+"."+spec.group ({expected})',
            )
        clash = self.registry.by_kind(spec.get("group", ""), spec.get("names", {}).get("kind", ""))
        if clash is not None and not clash.custom:
            raise ApiError(422, "Invalid", f"CustomResourceDefinition may not redefine built-in kind {clash.kind}")

    @staticmethod
    def _spec(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}

    def _check_immutable(self, res: Resource, obj: dict[str, Any], old: dict[str, Any]) -> None:
        def refuse(field: str) -> ApiError:
            name = obj["metadata"]["name"]
            return ApiError(
                422,
                "Invalid",
                f'{res.kind}.{res.group or "core"} "{name}" is invalid: {field}: Invalid value: field is immutable',
                {"name": name, "group": res.group, "kind": res.kind},
            )

        selector_changed = obj.get("spec", {}).get("selector") != old.get("spec", {}).get("selector")
        if res.kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job") and selector_changed:
            raise refuse("spec.selector")
        if res.kind in ("Secret", "ConfigMap") and old.get("immutable"):
            for field in ("data", "stringData", "binaryData", "immutable"):
                if obj.get(field) != old.get(field):
                    raise refuse(field)
        if res.kind == "Service":
            spec, old_spec = obj.setdefault("spec", {}), old.get("spec", {})
            # An update may omit allocated values; the server keeps them (as Kubernetes >= 1.20 does).
            for field in ("clusterIP", "clusterIPs"):
                if field in old_spec:
                    spec.setdefault(field, old_spec[field])
                    if spec[field] != old_spec[field] and spec.get("type") != "ExternalName":
                        raise refuse(f"spec.{field}")
            old_ports = {(p.get("port"), p.get("protocol", "TCP")): p for p in old_spec.get("ports", [])}
            for port in spec.get("ports", []):
                previous = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                if previous and "nodePort" in previous and spec.get("type") in ("NodePort", "LoadBalancer"):
                    port.setdefault("nodePort", previous["nodePort"])
        if res.kind == "PersistentVolumeClaim":
            for field in ("storageClassName", "accessModes", "volumeName"):
                if (
                    field in old.get("spec", {})
                    and obj.get("spec", {}).get(field, old["spec"][field]) != old["spec"][field]
                ):
                    raise refuse(f"spec.{field}")

    def _conflict(self, res: Resource, name: str) -> ApiError:
        return ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {res.group_resource} "{name}": the object has been modified; please '
            "apply your changes to the latest version and try again",
            {"name": name, "group": res.group, "kind": res.plural},
        )

    def _write(self, res, key, obj, old, opts, subresource, patching=False) -> dict[str, Any]:
        if subresource == "scale":
            replicas = (obj.get("spec") or {}).get("replicas")
            obj = copy.deepcopy(old)
            obj.setdefault("spec", {})["replicas"] = replicas
            subresource = None
        obj = self._admit(res, obj, old, opts, subresource)
        released = old["metadata"].get("deletionTimestamp") and not obj["metadata"].get("finalizers")
        if released and not opts.dry_run and res.kind != "Namespace":  # the last finalizer went: delete now
            obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            self.objects[key] = obj
            self.remove(res, key)
            return self.view(res, obj)
        if self._same(old, obj):
            return self.view(res, old)
        return self._store(res, key, obj, old, opts)

    @staticmethod
    def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
        def comparable(obj):
            out = copy.deepcopy(obj)
            out["metadata"].pop("resourceVersion", None)
            out["metadata"].pop("managedFields", None)
            return json.dumps(out, sort_keys=True)

        return comparable(old) == comparable(new)

    def _store(self, res, key, obj, old, opts) -> dict[str, Any]:
        obj["metadata"].pop("managedFields", None)
        if opts.dry_run:
            obj["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"] if old else ""
            return self.view(res, obj)
        obj["metadata"]["resourceVersion"] = self._next_rv()
        self.objects[key] = obj
        self._emit("MODIFIED" if old else "ADDED", res, obj, old)
        return self.view(res, obj)

    # --- watch ------------------------------------------------------------------------------

    def since(self, rv: int) -> list[Event] | None:
        """Events after ``rv``, or None when they have been compacted away (410 Gone)."""
        if rv >= self.rv:
            return []
        if not self.history or self.history[0].rv > rv + 1:
            return None if rv < self.rv else []
        return [e for e in self.history if e.rv > rv]
