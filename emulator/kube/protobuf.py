"""Decode the Kubernetes protobuf request bodies that real clients send.

helm keeps releases in Secrets (or ConfigMaps) through a typed client-go clientset configured for
``application/vnd.kubernetes.protobuf``: its create and update bodies are protobuf, whatever the
server prefers. The envelope is the 4-byte magic ``k8s\\0`` and a ``runtime.Unknown`` message
(typeMeta, raw); ``raw`` is the object in the generated.proto layout of k8s.io/api. We decode that
layout for the kinds clients write with typed clientsets here — Secret, ConfigMap, Namespace — into
the same JSON shape the JSON decoder gives. Answers are always JSON: every client-go request also
accepts ``application/json``.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any

MAGIC = b"k8s\x00"


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes):
    """Yield (field number, wire type, value) for each field of a message."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        yield number, wire, value


def _time(data: bytes) -> str:
    seconds = dict((n, v) for n, _, v in fields(data)).get(1, 0)
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# Message layouts: field number -> (json name, type). Types: str, bytes (base64 in JSON), int,
# bool, time, map:str / map:bytes (map<string, ...>), list:str, list:<Message>, <Message>.
OWNER_REFERENCE = {
    1: ("kind", "str"),
    2: ("name", "str"),
    3: ("uid", "str"),
    5: ("apiVersion", "str"),
    6: ("controller", "bool"),
    7: ("blockOwnerDeletion", "bool"),
}
OBJECT_META = {
    1: ("name", "str"),
    2: ("generateName", "str"),
    3: ("namespace", "str"),
    5: ("uid", "str"),
    6: ("resourceVersion", "str"),
    7: ("generation", "int"),
    8: ("creationTimestamp", "time"),
    9: ("deletionTimestamp", "time"),
    10: ("deletionGracePeriodSeconds", "int"),
    11: ("labels", "map:str"),
    12: ("annotations", "map:str"),
    13: ("ownerReferences", "list:OwnerReference"),
    14: ("finalizers", "list:str"),
}
MESSAGES: dict[str, dict[int, tuple[str, str]]] = {
    "ObjectMeta": OBJECT_META,
    "OwnerReference": OWNER_REFERENCE,
    "Secret": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:bytes"),
        3: ("type", "str"),
        4: ("stringData", "map:str"),
        5: ("immutable", "bool"),
    },
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:str"),
        3: ("binaryData", "map:bytes"),
        4: ("immutable", "bool"),
    },
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec"), 3: ("status", "NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "list:str")},
    "NamespaceStatus": {1: ("phase", "str")},
}


def _scalar(kind: str, wire_value: Any) -> Any:
    if kind == "str":
        return wire_value.decode()
    if kind == "bytes":
        return base64.b64encode(wire_value).decode()
    if kind == "int":
        return _signed(wire_value)
    if kind == "bool":
        return bool(wire_value)
    if kind == "time":
        return _time(wire_value)
    return decode_message(kind, wire_value)


def decode_message(name: str, data: bytes) -> dict[str, Any]:
    layout = MESSAGES[name]
    out: dict[str, Any] = {}
    for number, _, value in fields(data):
        if number not in layout:
            continue  # fields we do not model (managedFields ...) are dropped
        key, kind = layout[number]
        if kind.startswith("map:"):
            entry = {n: v for n, _, v in fields(value)}
            out.setdefault(key, {})[entry.get(1, b"").decode()] = _scalar(kind[4:], entry.get(2, b""))
        elif kind.startswith("list:"):
            out.setdefault(key, []).append(_scalar(kind[5:], value))
        else:
            out[key] = _scalar(kind, value)
    return out


def decode(body: bytes, api_version: str, kind: str) -> dict[str, Any]:
    """A JSON-shaped object from a protobuf-encoded request body; the type defaults to the URL's."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    unknown = {n: v for n, _, v in fields(body[len(MAGIC) :])}
    type_meta = {n: v.decode() for n, _, v in fields(unknown.get(1, b""))}
    api_version, kind = type_meta.get(1) or api_version, type_meta.get(2) or kind
    if kind not in MESSAGES:
        raise ProtobufError(f"no protobuf decoding for kind {kind!r}; send JSON")
    return {"apiVersion": api_version, "kind": kind, **decode_message(kind, unknown.get(2, b""))}
