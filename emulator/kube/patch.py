"""The four PATCH flavours of the Kubernetes API, applied to plain JSON objects.

* ``application/json-patch+json`` — RFC 6902 (``jsonpatch``).
* ``application/merge-patch+json`` — RFC 7386: maps merge, ``null`` deletes, lists are replaced.
* ``application/strategic-merge-patch+json`` — what helm 3 sends for built-in kinds (a three-way
  patch from ``CreateThreeWayMergePatch``). Lists whose schema says ``patchStrategy: merge`` merge
  by their ``patchMergeKey`` (containers by ``name``, ports by ``containerPort`` ...), other lists
  are replaced; the directives ``$patch`` (replace/delete/merge), ``$retainKeys``,
  ``$setElementOrder/<field>`` and ``$deleteFromPrimitiveList/<field>`` are honoured.
* ``application/apply-patch+yaml`` — server-side apply: the applied configuration is merged with
  apply's list semantics (``listType: map`` merges by its keys, ``set`` unions, ``atomic``
  replaces), and fields the same field manager applied last time but left out now are removed.
  Ownership conflicts between managers are not modelled: every apply wins, as with ``--force``.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch

from emulator.kube import schema

Node = dict[str, Any] | None


class PatchError(ValueError):
    pass


def json_patch(obj: dict[str, Any], ops: Any) -> dict[str, Any]:
    try:
        return jsonpatch.apply_patch(obj, ops)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as exc:
        raise PatchError(f"the server rejected our request due to an error in our request: {exc}") from exc


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- strategic merge patch -------------------------------------------------------------------


def strategic_merge(original: Any, patch: Any, node: Node) -> Any:
    if not isinstance(patch, dict) or not isinstance(original, dict):
        return _strip(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip({k: v for k, v in patch.items() if k != "$patch"})
    if directive == "delete":
        return None
    result = copy.deepcopy(original)
    orders = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field, []) if v not in value]
            continue
        sub = schema.child(node, key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            merged = _merge_list(result.get(key), value, sub)
            result[key] = merged
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key, {}), value, sub)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _reorder(result[field], order, schema.list_meta(schema.child(node, field))[1])
    if "$retainKeys" in patch:
        keep = set(patch["$retainKeys"])
        result = {k: v for k, v in result.items() if k in keep}
    return result


def _merge_list(original: Any, patch: list[Any], node: Node) -> list[Any]:
    strategy, merge_key = schema.list_meta(node)
    if not strategy or "merge" not in strategy:
        if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
            return _strip([i for i in patch if not (isinstance(i, dict) and "$patch" in i)])
        return _strip(patch)
    current = list(original) if isinstance(original, list) else []
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return _strip([i for i in patch if not (isinstance(i, dict) and "$patch" in i)])
    if not merge_key:  # list of primitives: union, keep order
        return current + [v for v in patch if v not in current]
    element = schema.items(node)
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"expected a map in a list merged by {merge_key!r}, got {item!r}")
        key = item.get(merge_key)
        index = next((i for i, o in enumerate(current) if isinstance(o, dict) and o.get(merge_key) == key), None)
        if item.get("$patch") == "delete":
            if index is not None:
                current.pop(index)
        elif index is None:
            current.append(_strip({k: v for k, v in item.items() if k != "$patch"}))
        else:
            current[index] = strategic_merge(current[index], item, element)
    return current


def _reorder(values: list[Any], order: list[Any], merge_key: str | None) -> list[Any]:
    def ident(v):
        return v.get(merge_key) if merge_key and isinstance(v, dict) else v

    wanted = [o.get(merge_key) if merge_key and isinstance(o, dict) else o for o in order]
    ranked = {w: i for i, w in enumerate(wanted)}
    known = sorted((v for v in values if ident(v) in ranked), key=lambda v: ranked[ident(v)])
    return known + [v for v in values if ident(v) not in ranked]


def _strip(value: Any) -> Any:
    """Drop patch directives and nulls from a value that is taken over whole."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None and not (k.startswith("$") and k != "$ref")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# --- server-side apply -----------------------------------------------------------------------


def server_side_apply(live: dict[str, Any], applied: dict[str, Any], previous: dict[str, Any] | None, node: Node):
    """Merge ``applied`` into ``live``, dropping what ``previous`` (same manager) had and ``applied`` lacks."""
    base = _remove_dropped(copy.deepcopy(live), previous or {}, applied, node)
    return _apply_merge(base, applied, node)


def _apply_merge(live: Any, applied: Any, node: Node) -> Any:
    if not isinstance(applied, dict) or not isinstance(live, dict):
        return copy.deepcopy(applied)
    result = dict(live)
    for key, value in applied.items():
        sub = schema.child(node, key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = _apply_merge(result.get(key, {}), value, sub)
        elif isinstance(value, list):
            result[key] = _apply_list(result.get(key), value, sub)
        else:
            result[key] = value
    return result


def _apply_list(live: Any, applied: list[Any], node: Node) -> list[Any]:
    list_type, keys = schema.apply_list_keys(node)
    current = list(live) if isinstance(live, list) else []
    if list_type == "set":
        return current + [v for v in applied if v not in current]
    if list_type != "map" or not keys:
        return copy.deepcopy(applied)
    element = schema.items(node)
    for item in applied:
        ident = tuple(item.get(k) for k in keys)
        index = next((i for i, o in enumerate(current) if tuple(o.get(k) for k in keys) == ident), None)
        if index is None:
            current.append(copy.deepcopy(item))
        else:
            current[index] = _apply_merge(current[index], item, element)
    return current


def _remove_dropped(live: Any, previous: Any, applied: Any, node: Node) -> Any:
    if not isinstance(previous, dict) or not isinstance(live, dict):
        return live
    applied = applied if isinstance(applied, dict) else {}
    for key, before in previous.items():
        if key not in live:
            continue
        sub = schema.child(node, key)
        if key not in applied:
            live.pop(key)
        elif isinstance(before, dict):
            live[key] = _remove_dropped(live[key], before, applied[key], sub)
        elif isinstance(before, list) and isinstance(live[key], list):
            list_type, keys = schema.apply_list_keys(sub)
            now = applied[key] if isinstance(applied[key], list) else []
            if list_type == "map" and keys:
                gone = {tuple(i.get(k) for k in keys) for i in before} - {tuple(i.get(k) for k in keys) for i in now}
                live[key] = [i for i in live[key] if tuple(i.get(k) for k in keys) not in gone]
                element = schema.items(sub)
                for index, item in enumerate(live[key]):
                    ident = tuple(item.get(k) for k in keys)
                    prev_item = next((p for p in before if tuple(p.get(k) for k in keys) == ident), None)
                    new_item = next((p for p in now if tuple(p.get(k) for k in keys) == ident), None)
                    if prev_item is not None and new_item is not None:
                        live[key][index] = _remove_dropped(item, prev_item, new_item, element)
            elif list_type == "set":
                live[key] = [v for v in live[key] if v in now or v not in before]
    return live
