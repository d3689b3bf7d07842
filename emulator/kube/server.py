"""The HTTP side of the Kubernetes API stand-in (aiohttp): routing, discovery, OpenAPI, encoding.

Process entry point: ``python -m emulator.kube.server --host 127.0.0.1 --port 8001``; the launcher
runs it in its own session. Besides the Kubernetes API it answers ``GET /healthz`` and
``POST /emulator/reset`` (drop every object, back to a fresh cluster).

Encoding: answers are JSON. A client that lists ``application/vnd.kubernetes.protobuf`` first but
also accepts JSON (or ``*/*``) gets JSON, as content negotiation allows; one that accepts only
protobuf gets ``406 NotAcceptable``, and a protobuf request body gets ``415``. ``as=Table``
requests (kubectl's human-readable ``get``) get a ``meta.k8s.io/v1`` Table. ``/openapi/v2`` answers
an empty protobuf document (kubectl and helm then fall back to their compiled-in types for patch
metadata and to server-side field validation); ``/openapi/v3`` lists every served group-version
with a PATCH operation per kind that advertises ``fieldValidation``, ``dryRun``, ``fieldManager``
and ``force``, so kubectl's and helm's ``--validate=strict`` defer to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
from typing import Any

import yaml
from aiohttp import web

from emulator.kube import protobuf
from emulator.kube.controllers import Controllers
from emulator.kube.resources import Registry, Resource
from emulator.kube.store import ApiError, Store, WriteOptions

KUBE_GIT_VERSION = "v1.32.3-eks-4096722"
JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
OPENAPI_V2_PB = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
log = logging.getLogger("emulator.kube")


class KubeApi:
    def __init__(self, ready_delay: float = 0.5, region: str | None = None, aws_endpoint: str | None = None) -> None:
        self.registry = Registry()
        self.store = Store(self.registry)
        self.controllers = Controllers(
            self.store, self.registry, ready_delay, **({"region": region} if region else {}), aws_endpoint=aws_endpoint
        )
        self.controllers.bootstrap()

    def reset(self) -> None:
        self.store.reset()
        self.controllers.reset()

    # --- routing ----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            negotiated = self._negotiate(request)
            return await self._route(request, negotiated)
        except ApiError as exc:
            return web.json_response(exc.status(), status=exc.code)
        except Exception as exc:
            log.exception("internal error on %s %s", request.method, request.path_qs)
            body = ApiError(500, "InternalError", f"Internal error occurred: {exc!r}").status()
            return web.json_response(body, status=500)

    def _negotiate(self, request: web.Request) -> str:
        """'json', 'table' or 'protobuf-only' (the latter only matters for /openapi/v2)."""
        accept = request.headers.get("Accept", "")
        if not accept.strip():
            return "json"
        kinds = []
        for part in accept.split(","):
            media, *params = [p.strip() for p in part.split(";")]
            options = dict(p.split("=", 1) for p in params if "=" in p)
            if media in (JSON, "*/*", "application/*", "application/yaml"):
                kinds.append("table" if options.get("as") == "Table" else "json")
            elif media in (PROTOBUF, OPENAPI_V2_PB):
                kinds.append("protobuf")
        if not kinds:
            raise ApiError(406, "NotAcceptable", f"only the following media types are accepted: {JSON}")
        if kinds[0] == "protobuf" and "json" not in kinds and "table" not in kinds:
            return "protobuf-only"
        return next(k for k in kinds if k != "protobuf")

    async def _route(self, request: web.Request, negotiated: str) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        parts = [p for p in path.split("/") if p]
        method = request.method
        if path == "/emulator/reset" and method == "POST":
            self.reset()
            return web.json_response({"reset": True})
        if method == "GET":
            static = self._static(path, request)
            if static is not None:
                return static
            if path.startswith("/openapi/v2"):
                if negotiated == "json":
                    info = {"title": "Kubernetes", "version": KUBE_GIT_VERSION}
                    return web.json_response({"swagger": "2.0", "info": info, "paths": {}, "definitions": {}})
                return web.Response(body=b"", content_type=OPENAPI_V2_PB.split(";")[0])
            if path == "/openapi/v3":
                return web.json_response(self._openapi_v3_root())
            if path.startswith("/openapi/v3/"):
                return web.json_response(self._openapi_v3(path.removeprefix("/openapi/v3/")))
            if negotiated == "protobuf-only":
                raise ApiError(406, "NotAcceptable", f"only the following media types are accepted: {JSON}")
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            if method != "GET":
                raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on {path}")
            return web.json_response(self._resource_list(group, version))
        return await self._resource(request, negotiated, group, version, rest)

    def _static(self, path: str, request: web.Request) -> web.Response | None:
        if path in ("/healthz", "/readyz", "/livez"):
            return web.Response(text="ok")
        if path == "/version":
            return web.json_response(
                {
                    "major": "1",
                    "minor": "32",
                    "gitVersion": KUBE_GIT_VERSION,
                    "gitCommit": "409672215c8bc7c7a2edbd3b1d1fd2eb9f9f3b3d",
                    "gitTreeState": "clean",
                    "buildDate": "2025-03-20T00:00:00Z",
                    "goVersion": "go1.23.6",
                    "compiler": "gc",
                    "platform": "linux/amd64",
                }
            )
        if path == "/api":
            address = f"{request.host}"
            return web.json_response(
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
                }
            )
        if path == "/apis":
            groups = [self._group(name, versions) for name, versions in self.registry.group_versions().items()]
            return web.json_response({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if path.startswith("/apis/") and path.count("/") == 2:
            name = path.split("/")[2]
            versions = self.registry.group_versions().get(name)
            if versions is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return web.json_response({"kind": "APIGroup", "apiVersion": "v1", **self._group(name, versions)})
        if path == "/":
            paths = {"/api", "/api/v1", "/apis", "/healthz", "/openapi/v2", "/openapi/v3", "/version"}
            for group, versions in self.registry.group_versions().items():
                paths |= {f"/apis/{group}"} | {f"/apis/{group}/{v}" for v in versions}
            return web.json_response({"paths": sorted(paths)})
        return None

    @staticmethod
    def _group(name: str, versions: list[str]) -> dict[str, Any]:
        listed = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        return {"name": name, "versions": listed, "preferredVersion": listed[0]}

    def _resource_list(self, group: str, version: str) -> dict[str, Any]:
        served = self.registry.in_version(group, version)
        if not served:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": [entry for res in served for entry in res.discovery()],
        }

    # --- OpenAPI v3 -------------------------------------------------------------------------

    def _gv_paths(self) -> dict[str, list[Resource]]:
        out: dict[str, list[Resource]] = {}
        for res in self.registry.all():
            out.setdefault(f"apis/{res.group}/{res.version}" if res.group else f"api/{res.version}", []).append(res)
        return out

    def _openapi_v3_root(self) -> dict[str, Any]:
        paths = {}
        for gv, served in self._gv_paths().items():
            digest = hashlib.sha256(repr(sorted(r.plural for r in served)).encode()).hexdigest().upper()
            paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
        return {"paths": paths}

    def _openapi_v3(self, gv: str) -> dict[str, Any]:
        served = self._gv_paths().get(gv)
        if served is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        params = [
            {"name": name, "in": "query", "schema": {"type": "string" if name != "force" else "boolean"}}
            for name in ("dryRun", "fieldManager", "fieldValidation", "force")
        ]
        paths = {}
        for res in served:
            prefix = f"/{gv}/namespaces/{{namespace}}/{res.plural}" if res.namespaced else f"/{gv}/{res.plural}"
            gvk = {"group": res.group, "version": res.version, "kind": res.kind}
            patch = {
                "operationId": f"patch{res.kind}",
                "parameters": params,
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
                "responses": {"200": {"description": "OK"}},
            }
            paths[f"{prefix}/{{name}}"] = {
                "get": {"x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk},
                "put": {"x-kubernetes-action": "put", "x-kubernetes-group-version-kind": gvk, "parameters": params},
                "patch": patch,
                "delete": {"x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk},
            }
            paths[prefix] = {"post": {"x-kubernetes-action": "post", "x-kubernetes-group-version-kind": gvk}}
        info = {"title": "Kubernetes", "version": KUBE_GIT_VERSION}
        return {"openapi": "3.0.0", "info": info, "paths": paths, "components": {"schemas": {}}}

    # --- resources --------------------------------------------------------------------------

    def _locate(self, group: str, version: str, rest: list[str]):
        """(resource, namespace, name, subresource) from the path after /api/v1 or /apis/g/v."""
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            candidate = self.registry.find(group, version, rest[2])
            if candidate is not None and candidate.namespaced:
                namespace, rest = rest[1], rest[2:]
        res = self.registry.find(group, version, rest[0])
        if res is None or len(rest) > 3:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub is not None and sub not in res.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if res.namespaced and name is not None and namespace is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return res, namespace, name, sub

    async def _body(self, request: web.Request, res: Resource | None = None) -> tuple[str, Any]:
        content_type = request.headers.get("Content-Type", JSON).split(";")[0].strip()
        raw = await request.read()
        if content_type == PROTOBUF and res is None:
            return content_type, None  # a protobuf DeleteOptions: its defaults are what we do anyway
        if content_type == PROTOBUF and raw:
            try:
                return JSON, protobuf.decode(raw, res.api_version if res else "", res.kind if res else "")
            except protobuf.ProtobufError as exc:
                raise ApiError(415, "UnsupportedMediaType", f"{PROTOBUF}: {exc}") from exc
        if not raw:
            return content_type, None
        try:
            if content_type in (JSON, *PATCH_TYPES[:3]):
                return content_type, json.loads(raw)
            return content_type, yaml.safe_load(raw)
        except (ValueError, yaml.YAMLError) as exc:
            raise ApiError(400, "BadRequest", f"the body of the request could not be decoded: {exc}") from exc

    @staticmethod
    def _options(request: web.Request, body: Any = None) -> WriteOptions:
        query = request.query
        dry_run = query.getall("dryRun", [])
        if isinstance(body, dict) and body.get("kind") == "DeleteOptions":
            dry_run = dry_run or body.get("dryRun") or []
        validation = query.get("fieldValidation", "Warn")
        if validation not in ("Ignore", "Warn", "Strict"):
            raise ApiError(400, "BadRequest", f"fieldValidation must be one of Ignore, Warn, Strict, not {validation}")
        return WriteOptions(
            dry_run="All" in dry_run, field_validation=validation, field_manager=query.get("fieldManager", "")
        )

    def _respond(self, obj: dict[str, Any], opts: WriteOptions | None, status: int = 200) -> web.Response:
        headers = {}
        if opts and opts.warnings:
            headers["Warning"] = ", ".join(f'299 - "{w}"' for w in opts.warnings)
        return web.json_response(obj, status=status, headers=headers)

    async def _resource(self, request, negotiated, group, version, rest) -> web.StreamResponse:
        res, namespace, name, sub = self._locate(group, version, rest)
        method = request.method
        query = request.query
        if name is None:
            if method == "GET":
                match = self.store.matcher(query.get("labelSelector"), query.get("fieldSelector"))
                if query.get("watch") in ("true", "1"):
                    return await self._watch(request, res, namespace, match)
                items, rv = self.store.list(res, namespace, match)
                if negotiated == "table":
                    return web.json_response(self._table(items, rv, query.get("includeObject")))
                if not res.custom:  # typed lists carry no per-item apiVersion/kind
                    items = [{k: v for k, v in i.items() if k not in ("apiVersion", "kind")} for i in items]
                body = {"kind": f"{res.kind}List", "apiVersion": res.api_version, "metadata": {"resourceVersion": rv}}
                return web.json_response(body | {"items": items})
            if method == "POST":
                _, body = await self._body(request, res)
                opts = self._options(request)
                return self._respond(self.store.create(res, namespace, body, opts), opts, 201)
            if method == "DELETE":
                _, body = await self._body(request)
                opts = self._options(request, body)
                match = self.store.matcher(query.get("labelSelector"), query.get("fieldSelector"))
                items, _ = self.store.list(res, namespace, match)
                for item in items:
                    meta = item["metadata"]
                    self.store.delete(res, meta.get("namespace"), meta["name"], opts)
                return web.json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method == "GET":
            obj = self.store.get(res, namespace, name)
            if negotiated == "table":
                return web.json_response(
                    self._table([obj], obj["metadata"]["resourceVersion"], query.get("includeObject"))
                )
            return web.json_response(self._scale(res, obj) if sub == "scale" else obj)
        if method == "PUT":
            _, body = await self._body(request, res)
            opts = self._options(request)
            if sub == "scale":
                body = self._from_scale(res, namespace, name, body)
            return self._respond(
                self._scaled(res, self.store.replace(res, namespace, name, body, opts, sub), sub), opts
            )
        if method == "PATCH":
            content_type, body = await self._body(request, res)
            opts = self._options(request)
            force = query.get("force") in ("true", "1")
            if sub == "scale":
                scale = self._scale(res, self.store.get(res, namespace, name))
                from emulator.kube import patch as patching

                if content_type == "application/json-patch+json":
                    scale = patching.json_patch(scale, body)
                else:
                    scale = patching.merge_patch(scale, body)
                body = self._from_scale(res, namespace, name, scale)
                return self._respond(
                    self._scaled(res, self.store.replace(res, namespace, name, body, opts, sub), sub), opts
                )
            obj = self.store.patch(res, namespace, name, content_type, body, opts, sub, force)
            return self._respond(obj, opts)
        if method == "DELETE":
            _, body = await self._body(request)
            opts = self._options(request, body)
            propagation = query.get("propagationPolicy") or (body or {}).get("propagationPolicy")
            preconditions = (body or {}).get("preconditions") or {}
            if preconditions:
                current = self.store.get(res, namespace, name)["metadata"]
                for field in ("uid", "resourceVersion"):
                    if preconditions.get(field) and preconditions[field] != current.get(field):
                        raise ApiError(409, "Conflict", f"Precondition failed: {field}: {preconditions[field]}")
            obj, gone = self.store.delete(res, namespace, name, opts, propagation)
            if not gone:
                return self._respond(obj, opts)
            details = {"name": name, "group": res.group, "kind": res.plural, "uid": obj["metadata"]["uid"]}
            status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
            return web.json_response(status)
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    @staticmethod
    def _scale(res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        meta = {
            k: obj["metadata"][k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in obj["metadata"]
        }
        selector = obj.get("spec", {}).get("selector", {}).get("matchLabels", {})
        status = {
            "replicas": obj.get("status", {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in selector.items()),
        }
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": meta,
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
            "status": status,
        }

    def _from_scale(self, res, namespace, name, scale) -> dict[str, Any]:
        obj = self.store.get(res, namespace, name)
        wanted = (scale or {}).get("metadata", {}).get("resourceVersion")
        if wanted:
            obj["metadata"]["resourceVersion"] = wanted
        obj.setdefault("spec", {})["replicas"] = (scale or {}).get("spec", {}).get("replicas", 0)
        return obj

    def _scaled(self, res, obj, sub):
        return self._scale(res, obj) if sub == "scale" else obj

    @staticmethod
    def _table(items: list[dict[str, Any]], rv: str, include: str | None) -> dict[str, Any]:
        columns = [
            {
                "name": "Name",
                "type": "string",
                "format": "name",
                "description": "Name must be unique within a namespace.",
                "priority": 0,
            },
            {"name": "Created At", "type": "date", "format": "", "description": "CreationTimestamp", "priority": 0},
        ]
        rows = []
        for item in items:
            obj = item
            if include != "Object":
                obj = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"]}
            rows.append({"cells": [item["metadata"]["name"], item["metadata"].get("creationTimestamp")], "object": obj})
        return {
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": rv},
            "columnDefinitions": columns,
            "rows": rows,
        }

    async def _watch(self, request: web.Request, res: Resource, namespace: str | None, match) -> web.StreamResponse:
        query = request.query
        timeout = min(float(query.get("timeoutSeconds", 1800)), 3600)
        queue: asyncio.Queue = asyncio.Queue()
        self.store.watchers.add(queue)
        response = web.StreamResponse(headers={"Content-Type": JSON, "Transfer-Encoding": "chunked"})
        await response.prepare(request)

        def relevant(group, plural, obj):
            if (group, plural) != (res.group, res.plural):
                return False
            return not namespace or obj["metadata"].get("namespace") == namespace

        async def send(kind: str, obj: dict[str, Any]):
            await response.write(json.dumps({"type": kind, "object": self.store.view(res, obj)}).encode() + b"\n")

        async def deliver(event):
            if not relevant(event.group, event.plural, event.obj):
                return
            now_in, was_in = match(event.obj), event.old is not None and match(event.old)
            if event.type == "DELETED":
                if was_in or now_in:
                    await send("DELETED", event.obj)
            elif now_in:
                await send("ADDED" if event.type == "ADDED" or not was_in else "MODIFIED", event.obj)
            elif was_in:
                await send("DELETED", event.obj)

        try:
            rv = query.get("resourceVersion", "")
            if rv in ("", "0"):
                items, _ = self.store.list(res, namespace, match)
                for item in items:
                    await send("ADDED", item)
            else:
                backlog = self.store.since(int(rv))
                if backlog is None:
                    gone = ApiError(410, "Expired", f"too old resource version: {rv} ({self.store.rv})").status()
                    await response.write(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                    return response
                for event in backlog:
                    await deliver(event)
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    event = await asyncio.wait_for(queue.get(), remaining)
                except TimeoutError:
                    break
                await deliver(event)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.store.watchers.discard(queue)
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response


def make_app(ready_delay: float = 0.5, region: str | None = None, aws_endpoint: str | None = None) -> web.Application:
    api = KubeApi(ready_delay, region, aws_endpoint)
    app = web.Application(client_max_size=64 * 1024**2)
    app["api"] = api
    app.router.add_route("*", "/{tail:.*}", api.handle)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.kube.server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-delay", type=float, default=0.5)
    parser.add_argument("--region", default=None)
    parser.add_argument("--aws-endpoint", default=None, help="play aws-for-fluent-bit: ship pod logs there")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    web.run_app(
        make_app(args.ready_delay, args.region, args.aws_endpoint),
        host=args.host,
        port=args.port,
        print=lambda msg: log.info(msg),
        access_log_format='%a "%r" %s %b "%{Content-Type}i" "%{Accept}i"',
    )


if __name__ == "__main__":
    main()
