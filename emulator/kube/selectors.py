"""Label and field selectors as the API server parses them (``labelSelector=``, ``fieldSelector=``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SET = re.compile(r"^\s*(!?)([A-Za-z0-9./_-]+)\s*(?:(in|notin)\s*\(([^)]*)\)|(==|=|!=)\s*([A-Za-z0-9._-]*))?\s*$")


class SelectorError(ValueError):
    pass


def _split(text: str) -> list[str]:
    """Split on commas that are not inside ``( ... )``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p.strip()]


def label_matcher(text: str | None) -> Callable[[dict[str, str]], bool]:
    if not text:
        return lambda labels: True
    tests = []
    for term in _split(text):
        match = _SET.match(term)
        if not match:
            raise SelectorError(f"unable to parse requirement: {term!r}")
        negate, key, set_op, values, op, value = match.groups()
        if negate and (set_op or op):
            raise SelectorError(f"unable to parse requirement: {term!r}")
        if set_op:
            allowed = {v.strip() for v in values.split(",") if v.strip()}
            if set_op == "in":
                tests.append(lambda labels, k=key, a=allowed: labels.get(k) in a)
            else:
                tests.append(lambda labels, k=key, a=allowed: labels.get(k) not in a)
        elif op in ("=", "=="):
            tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif op == "!=":
            tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
        elif negate:
            tests.append(lambda labels, k=key: k not in labels)
        else:
            tests.append(lambda labels, k=key: k in labels)
    return lambda labels: all(t(labels) for t in tests)


def field_matcher(text: str | None) -> Callable[[dict[str, Any]], bool]:
    """``metadata.name=x,status.phase!=Running``: dotted paths compared as strings."""
    if not text:
        return lambda obj: True
    tests = []
    for term in _split(text):
        match = re.match(r"^\s*([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not match:
            raise SelectorError(f"invalid field selector: {term!r}")
        path, op, value = match.groups()
        tests.append((path.split("."), op != "!=", value))

    def lookup(obj: dict[str, Any], path: list[str]) -> str:
        for part in path:
            obj = obj.get(part) if isinstance(obj, dict) else None
        return "" if obj is None else str(obj)

    return lambda obj: all((lookup(obj, p) == v) is eq for p, eq, v in tests)


def selector_labels(selector: dict[str, Any] | None) -> Callable[[dict[str, str]], bool]:
    """A ``metav1.LabelSelector`` (matchLabels + matchExpressions) as a matcher."""
    selector = selector or {}
    terms = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr["operator"], expr["key"], ",".join(expr.get("values") or [])
        terms.append(
            {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key}.get(op, f"!{key}")
        )
    return label_matcher(",".join(terms))
