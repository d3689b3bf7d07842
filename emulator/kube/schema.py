"""The Kubernetes 1.32 OpenAPI definitions, as shipped by the ``kubernetes-validate`` package.

They drive three things a real API server gets from its Go types:

* validation of request bodies (``422 Invalid`` for wrong types, ``400 BadRequest`` naming unknown
  fields when the client asks ``fieldValidation=Strict``, as kubectl and helm do; otherwise unknown
  fields of built-in kinds are dropped, as decoding into Go structs does);
* strategic-merge-patch metadata (``x-kubernetes-patch-merge-key`` / ``-patch-strategy``) and the
  server-side-apply list semantics (``x-kubernetes-list-type`` / ``-list-map-keys``);
* which GroupVersionKinds exist, for the OpenAPI v3 documents kubectl reads.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import importlib_resources
import jsonschema
import referencing
import referencing.jsonschema

KUBE_VERSION = "1.32"
_DIR = f"kubernetes-json-schema/v{KUBE_VERSION}.0-local"


def _load(name: str) -> Any:
    ref = importlib_resources.files("kubernetes_validate").joinpath(name)
    return json.loads(ref.read_text())


@functools.cache
def definitions(strict: bool = False) -> dict[str, Any]:
    return _load(f"{_DIR}{'-strict' if strict else ''}/_definitions.json")["$defs"]


@functools.cache
def _gvk_index() -> dict[tuple[str, str, str], str]:
    index = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            index[(gvk["group"], gvk["version"], gvk["kind"])] = name
    return index


def definition_name(group: str, version: str, kind: str) -> str | None:
    return _gvk_index().get((group, version, kind))


def root(group: str, version: str, kind: str) -> dict[str, Any] | None:
    """The schema node of a built-in kind, or None (custom resources have no schema here)."""
    name = definition_name(group, version, kind)
    return definitions()[name] if name else None


def resolve(node: dict[str, Any] | None) -> dict[str, Any] | None:
    while node is not None and "$ref" in node:
        node = definitions()[node["$ref"].rsplit("/", 1)[-1]]
    return node


def child(node: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """The schema of ``key`` inside an object node, with its patch extensions kept."""
    node = resolve(node)
    if node is None:
        return None
    prop = node.get("properties", {}).get(key)
    if prop is not None:
        return prop
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def items(node: dict[str, Any] | None) -> dict[str, Any] | None:
    node = resolve(node)
    return node.get("items") if node else None


def list_meta(node: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(patch strategy, merge key) of a list field for strategic merge patch."""
    if node is None:
        return None, None
    return node.get("x-kubernetes-patch-strategy"), node.get("x-kubernetes-patch-merge-key")


def apply_list_keys(node: dict[str, Any] | None) -> tuple[str, list[str]]:
    """(list type, map keys) of a list field for server-side apply; untyped lists are atomic."""
    if node is None:
        return "atomic", []
    list_type = node.get("x-kubernetes-list-type")
    keys = node.get("x-kubernetes-list-map-keys", [])
    if list_type is None:
        # Older fields only carry the strategic-merge annotations; apply treats those the same way.
        strategy, merge_key = list_meta(node)
        if strategy and "merge" in strategy:
            return ("map", [merge_key]) if merge_key else ("set", [])
        return "atomic", []
    return list_type, keys


@functools.cache
def _registry(strict: bool) -> referencing.Registry:
    defs = _load(f"{_DIR}{'-strict' if strict else ''}/_definitions.json")
    return referencing.jsonschema.DRAFT202012.create_resource(defs) @ referencing.Registry()


@functools.cache
def validator(group: str, version: str, kind: str, strict: bool) -> jsonschema.protocols.Validator | None:
    name = definition_name(group, version, kind)
    if name is None:
        return None
    schema = {"$ref": f"https://kubernetes.io/api/_definitions.json#/$defs/{name}"}
    return jsonschema.Draft202012Validator(schema, registry=_registry(strict))


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def unknown_fields(obj: dict[str, Any], group: str, version: str, kind: str) -> list[tuple[list[Any], str]]:
    """(parent path, field name) of every field the kind's schema does not declare."""
    check = validator(group, version, kind, strict=True)
    if check is None:
        return []
    found = []
    for error in check.iter_errors(obj):
        for leaf in error.context or [error]:
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                declared = resolve(leaf.schema).get("properties", {})
                for field in leaf.instance:
                    if field not in declared:
                        found.append((list(leaf.absolute_path), field))
    return [(list(p), f) for p, f in sorted({(tuple(p), f) for p, f in found}, key=str)]


def type_errors(obj: dict[str, Any], group: str, version: str, kind: str) -> list[str]:
    """Human-readable messages for values of the wrong type or shape (the 422 Invalid cases)."""
    check = validator(group, version, kind, strict=False)
    if check is None:
        return []
    return [f"{_path(e) or '<root>'}: Invalid value: {e.message}" for e in check.iter_errors(obj)]


def format_path(path: list[Any], field: str) -> str:
    out = ""
    for part in [*path, field]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def all_gvks() -> list[tuple[str, str, str]]:
    return list(_gvk_index())
