"""The HTTP side of the registry stand-in (aiohttp): the OCI distribution API in front of ECR.

Process entry point: ``python -m emulator.registry.server --host 127.0.0.1 --port 5000
--ecr-endpoint http://127.0.0.1:4566 --storage DIR``; the launcher runs it in its own session.
Besides ``/v2/`` it answers ``GET /healthz`` and ``POST /emulator/reset`` (drop blobs and uploads).

Who owns what: blobs (layers, configs) are files under ``DIR/blobs/sha256/``, linked into each
repository that received them (``DIR/repositories/<name>/_layers/``), as in the distribution
registry. Manifests and tags belong to ECR: a manifest PUT is an ECR PutImage of the exact bytes,
a manifest GET an ECR BatchGetImage, ``tags/list`` an ECR ListImages. Every request must carry
HTTP basic credentials ``AWS:<password>`` with a password from the emulator's GetAuthorizationToken
(checked with the emulator, see ``emulator.fixes.ecr_authorization_token``) for this registry's
account and region, and name a repository ECR has.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import boto3
from aiohttp import web
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from emulator.registry import DEFAULT_ACCOUNT, DEFAULT_REGION

log = logging.getLogger("emulator.registry")

API_VERSION = {"Docker-Distribution-API-Version": "registry/2.0"}
VERIFY_PATH = "/moto-api/teamf/ecr/verify-authorization-token"
# ECR's repository name and tag rules (CreateRepository, PutImage), and the digests we store.
REPOSITORY_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
TAG = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
SHA256 = re.compile(r"sha256:([a-f0-9]{64})")
ECR_HOST = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?::\d+)?")
ROUTES = [
    ("upload", re.compile(r"(?P<name>.+)/blobs/uploads/(?P<upload>[^/]+)")),
    ("uploads", re.compile(r"(?P<name>.+)/blobs/uploads/?")),
    ("blob", re.compile(r"(?P<name>.+)/blobs/(?P<digest>[^/]+)")),
    ("manifest", re.compile(r"(?P<name>.+)/manifests/(?P<reference>[^/]+)")),
    ("tags", re.compile(r"(?P<name>.+)/tags/list")),
]
# ECR's limit on an image manifest; blobs are streamed and have none here.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
CHUNK = 1024 * 1024
SCHEMA1 = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
GENERIC_TYPES = ("", "application/json", "application/octet-stream", "text/plain")
# How long a password the emulator confirmed is trusted without asking again.
TOKEN_CACHE_S = 30.0


class RegistryError(Exception):
    """An error in the distribution spec's shape: ``{"errors": [{code, message, detail}]}``."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail, self.headers = status, code, message, detail, headers or {}

    def response(self) -> web.Response:
        error = {"code": self.code, "message": self.message, **({"detail": self.detail} if self.detail else {})}
        return web.json_response({"errors": [error]}, status=self.status, headers={**API_VERSION, **self.headers})


@dataclasses.dataclass
class Upload:
    name: str
    path: Path
    size: int = 0
    hasher: Any = dataclasses.field(default_factory=hashlib.sha256)


@dataclasses.dataclass(frozen=True)
class Target:
    """The ECR registry a request addresses: from an AWS-shaped Host header, else the defaults."""

    account: str
    region: str


class Registry:
    def __init__(self, ecr_endpoint: str, storage: Path, region: str = DEFAULT_REGION) -> None:
        self.ecr_endpoint = ecr_endpoint.rstrip("/")
        self.region = region
        self.storage = storage
        self.uploads: dict[str, Upload] = {}
        self._clients: dict[str, Any] = {}
        self._passwords: dict[str, tuple[dict, float]] = {}
        self._http: aiohttp.ClientSession | None = None
        # Blobs and links outlive a restart (ECR may still hold manifests naming them); half-done
        # uploads do not, since their running digests were in memory.
        shutil.rmtree(self.upload_dir, ignore_errors=True)
        for directory in (self.blob_dir, self.upload_dir, self.storage / "repositories"):
            directory.mkdir(parents=True, exist_ok=True)

    # --- state ------------------------------------------------------------------------------

    @property
    def blob_dir(self) -> Path:
        return self.storage / "blobs" / "sha256"

    @property
    def upload_dir(self) -> Path:
        return self.storage / "uploads"

    def link(self, name: str, hexdigest: str) -> Path:
        return self.storage / "repositories" / name / "_layers" / hexdigest

    def reset(self) -> None:
        shutil.rmtree(self.storage, ignore_errors=True)
        for directory in (self.blob_dir, self.upload_dir, self.storage / "repositories"):
            directory.mkdir(parents=True, exist_ok=True)
        self.uploads.clear()
        self._passwords.clear()

    def has_blob(self, name: str, digest: str) -> Path | None:
        match = SHA256.fullmatch(digest)
        if not match or not self.link(name, match[1]).exists():
            return None
        path = self.blob_dir / match[1]
        return path if path.exists() else None

    def add_link(self, name: str, hexdigest: str) -> None:
        link = self.link(name, hexdigest)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.touch()

    # --- ECR --------------------------------------------------------------------------------

    def ecr(self, region: str):
        if region not in self._clients:
            self._clients[region] = boto3.session.Session().client(
                "ecr",
                endpoint_url=self.ecr_endpoint,
                region_name=region,
                aws_access_key_id="registry",
                aws_secret_access_key="registry",
                config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60),
            )
        return self._clients[region]

    async def call_ecr(self, target: Target, operation: str, **params):
        client = self.ecr(target.region)
        try:
            return await asyncio.to_thread(getattr(client, operation), registryId=target.account, **params)
        except (BotoCoreError, OSError) as exc:
            raise RegistryError(
                503, "UNAVAILABLE", f"ECR at {self.ecr_endpoint} did not answer {operation}: {exc}"
            ) from exc

    async def require_repository(self, target: Target, name: str) -> None:
        if not REPOSITORY_NAME.fullmatch(name):
            raise RegistryError(
                400, "NAME_INVALID", f"invalid repository name '{name}': ECR names are lowercase path components"
            )
        try:
            await self.call_ecr(target, "describe_repositories", repositoryNames=[name])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "RepositoryNotFoundException":
                raise self.name_unknown(target, name) from None
            raise

    def name_unknown(self, target: Target, name: str) -> RegistryError:
        return RegistryError(
            404,
            "NAME_UNKNOWN",
            f"The repository with name '{name}' does not exist in the registry with id '{target.account}' "
            f"(ECR {target.region} at {self.ecr_endpoint}); create it first: "
            f"aws ecr create-repository --repository-name {name}",
            {"name": name},
        )

    # --- authentication ---------------------------------------------------------------------

    def target(self, request: web.Request) -> Target:
        match = ECR_HOST.fullmatch(request.host or "")
        return Target(match["account"], match["region"]) if match else Target(DEFAULT_ACCOUNT, self.region)

    def challenge(self, request: web.Request, message: str) -> RegistryError:
        realm = f"{request.scheme}://{request.host}/"
        return RegistryError(
            401,
            "UNAUTHORIZED",
            message,
            headers={"WWW-Authenticate": f'Basic realm="{realm}",service="ecr.amazonaws.com"'},
        )

    async def verify(self, password: str) -> dict:
        cached = self._passwords.get(password)
        if cached and cached[1] > time.time():
            return cached[0]
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with self._http.post(f"{self.ecr_endpoint}{VERIFY_PATH}", json={"password": password}) as resp:
                if resp.status == 404:
                    raise RegistryError(
                        503,
                        "UNAVAILABLE",
                        f"{self.ecr_endpoint} is not the teamf emulator (no {VERIFY_PATH}); point --ecr-endpoint at it",
                    )
                claims = await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise RegistryError(
                503, "UNAVAILABLE", f"cannot reach the emulator at {self.ecr_endpoint}: {exc!r}"
            ) from exc
        if claims.get("valid"):
            self._passwords[password] = (claims, min(claims["expiresAt"], time.time() + TOKEN_CACHE_S))
        return claims

    async def authenticate(self, request: web.Request, target: Target, name: str | None, digest: str | None) -> None:
        header = request.headers.get("Authorization", "")
        presigned = request.query.get("X-Amz-Security-Token")
        if header.startswith("Basic "):
            try:
                user, sep, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise self.challenge(request, "malformed basic credentials") from None
            if user != "AWS" or not sep:
                raise self.challenge(request, "the user name must be AWS (password from ecr get-login-password)")
        elif presigned and request.method in ("GET", "HEAD") and digest:
            password = presigned
        else:
            raise self.challenge(request, "authentication required: log in as AWS with ecr get-login-password")
        claims = await self.verify(password)
        if not claims.get("valid"):
            raise self.challenge(request, claims.get("reason") or "invalid authorization token")
        if (claims["registryId"], claims["region"]) != (target.account, target.region):
            raise self.challenge(
                request,
                f"the authorization token is for registry {claims['registryId']} in {claims['region']}, "
                f"not {target.account} in {target.region}",
            )
        if claims.get("scope") is not None and claims["scope"] != f"{name}@{digest}":
            raise self.challenge(request, "this download URL's token is valid for one layer only")

    # --- routing ----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        try:
            response = await self._route(request)
        except RegistryError as exc:
            response = exc.response()
        except web.HTTPException:
            raise
        except Exception as exc:
            log.exception("internal error on %s %s", request.method, request.path)
            response = RegistryError(500, "UNKNOWN", f"internal error: {exc!r}").response()
        # The query may hold a presigned token: log the path only.
        log.info("%s %s %s %.3fs", request.method, request.path, response.status, time.monotonic() - started)
        return response

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info.get("tail", "")
        target = self.target(request)
        if path == "":
            await self.authenticate(request, target, None, None)
            return web.json_response({}, headers=API_VERSION)
        routed = next(((kind, m) for kind, pattern in ROUTES if (m := pattern.fullmatch(path))), None)
        if routed is None:
            await self.authenticate(request, target, None, None)
            raise RegistryError(404, "UNSUPPORTED", f"no such endpoint: {request.method} /v2/{path}")
        kind, match = routed
        params = match.groupdict()
        name = params["name"]
        await self.authenticate(request, target, name, params.get("digest"))
        await self.require_repository(target, name)
        handler = getattr(self, f"{kind}_{request.method.lower()}", None)
        if handler is None:
            raise RegistryError(405, "UNSUPPORTED", f"{request.method} is not supported on /v2/{path}")
        return await handler(request, target, **params)

    # --- blobs ------------------------------------------------------------------------------

    async def blob_head(self, request: web.Request, target: Target, name: str, digest: str) -> web.StreamResponse:
        path = self.blob_or_404(name, digest)
        headers = {**API_VERSION, "Docker-Content-Digest": digest, "Content-Type": "application/octet-stream"}
        return web.Response(headers={**headers, "Content-Length": str(path.stat().st_size)})

    async def blob_get(self, request: web.Request, target: Target, name: str, digest: str) -> web.StreamResponse:
        path = self.blob_or_404(name, digest)
        headers = {**API_VERSION, "Docker-Content-Digest": digest, "Content-Type": "application/octet-stream"}
        return web.FileResponse(path, chunk_size=CHUNK, headers=headers)

    async def blob_delete(self, request: web.Request, target: Target, name: str, digest: str) -> web.StreamResponse:
        raise RegistryError(405, "UNSUPPORTED", "blobs cannot be deleted through the registry API; delete the image")

    def blob_or_404(self, name: str, digest: str) -> Path:
        if not SHA256.fullmatch(digest):
            raise RegistryError(400, "DIGEST_INVALID", f"unsupported digest '{digest}': sha256:<64 hex> expected")
        path = self.has_blob(name, digest)
        if path is None:
            raise RegistryError(
                404, "BLOB_UNKNOWN", f"blob {digest} unknown to repository '{name}'", {"digest": digest}
            )
        return path

    # --- uploads ----------------------------------------------------------------------------

    async def uploads_post(self, request: web.Request, target: Target, name: str) -> web.StreamResponse:
        mount, source = request.query.get("mount"), request.query.get("from")
        if mount and source and SHA256.fullmatch(mount) and self.has_blob(source, mount):
            await self.require_repository(target, source)
            self.add_link(name, SHA256.fullmatch(mount)[1])
            return self.blob_created(name, mount)
        upload = self.new_upload(name)
        digest = request.query.get("digest")
        if digest:  # monolithic upload: the body is the whole blob
            await self.receive(request, upload)
            return self.finish(upload, digest)
        return self.upload_accepted(upload, status=202)

    async def upload_get(self, request: web.Request, target: Target, name: str, upload: str) -> web.StreamResponse:
        return self.upload_accepted(self.upload_or_404(name, upload), status=204)

    async def upload_patch(self, request: web.Request, target: Target, name: str, upload: str) -> web.StreamResponse:
        current = self.upload_or_404(name, upload)
        content_range = request.headers.get("Content-Range")
        if content_range:
            start = re.fullmatch(r"(?:bytes[ =])?(\d+)-(\d+)", content_range.strip())
            if not start or int(start[1]) != current.size:
                raise RegistryError(
                    416,
                    "BLOB_UPLOAD_INVALID",
                    f"chunk range {content_range} does not continue the upload at offset {current.size}",
                    headers={"Range": f"0-{max(current.size - 1, 0)}", "Location": self.upload_location(current)},
                )
        await self.receive(request, current)
        return self.upload_accepted(current, status=202)

    async def upload_put(self, request: web.Request, target: Target, name: str, upload: str) -> web.StreamResponse:
        current = self.upload_or_404(name, upload)
        digest = request.query.get("digest")
        if not digest:
            raise RegistryError(400, "DIGEST_INVALID", "the final PUT of an upload needs ?digest=sha256:...")
        await self.receive(request, current)
        return self.finish(current, digest)

    async def upload_delete(self, request: web.Request, target: Target, name: str, upload: str) -> web.StreamResponse:
        current = self.upload_or_404(name, upload)
        self.drop_upload(upload)
        current.path.unlink(missing_ok=True)
        return web.Response(status=204, headers=API_VERSION)

    def new_upload(self, name: str) -> Upload:
        upload_id = str(uuid.uuid4())
        upload = Upload(name, self.upload_dir / upload_id)
        upload.path.touch()
        self.uploads[upload_id] = upload
        return upload

    def upload_or_404(self, name: str, upload_id: str) -> Upload:
        upload = self.uploads.get(upload_id)
        if upload is None or upload.name != name:
            raise RegistryError(404, "BLOB_UPLOAD_UNKNOWN", f"upload {upload_id} unknown to repository '{name}'")
        return upload

    def drop_upload(self, upload_id: str) -> None:
        self.uploads.pop(upload_id, None)

    async def receive(self, request: web.Request, upload: Upload) -> None:
        # Streamed to disk chunk by chunk: layers can be hundreds of MB.
        with upload.path.open("ab") as out:
            async for chunk in request.content.iter_chunked(CHUNK):
                out.write(chunk)
                upload.hasher.update(chunk)
                upload.size += len(chunk)

    def finish(self, upload: Upload, digest: str) -> web.StreamResponse:
        upload_id = upload.path.name
        self.drop_upload(upload_id)
        actual = "sha256:" + upload.hasher.hexdigest()
        if digest != actual:
            upload.path.unlink(missing_ok=True)
            raise RegistryError(
                400,
                "DIGEST_INVALID",
                "provided digest did not match uploaded content",
                {"expected": digest, "computed": actual, "size": upload.size},
            )
        hexdigest = actual.split(":", 1)[1]
        blob = self.blob_dir / hexdigest
        if blob.exists():
            upload.path.unlink(missing_ok=True)
        else:
            upload.path.replace(blob)
        self.add_link(upload.name, hexdigest)
        return self.blob_created(upload.name, actual)

    def upload_location(self, upload: Upload) -> str:
        return f"/v2/{upload.name}/blobs/uploads/{upload.path.name}"

    def upload_accepted(self, upload: Upload, status: int) -> web.StreamResponse:
        headers = {
            **API_VERSION,
            "Location": self.upload_location(upload),
            "Range": f"0-{max(upload.size - 1, 0)}",
            "Docker-Upload-UUID": upload.path.name,
            "Content-Length": "0",
        }
        return web.Response(status=status, headers=headers)

    def blob_created(self, name: str, digest: str) -> web.StreamResponse:
        headers = {**API_VERSION, "Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest}
        return web.Response(status=201, headers={**headers, "Content-Length": "0"})

    # --- manifests --------------------------------------------------------------------------

    async def manifest_put(self, request: web.Request, target: Target, name: str, reference: str) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise RegistryError(
                400, "MANIFEST_INVALID", f"manifest larger than ECR's {MAX_MANIFEST_BYTES} bytes"
            ) from None
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        tag = None
        if reference.startswith("sha256:") or ":" in reference:
            if reference != digest:
                raise RegistryError(
                    400, "DIGEST_INVALID", f"manifest digest is {digest}, not {reference}", {"computed": digest}
                )
        elif TAG.fullmatch(reference):
            tag = reference
        else:
            raise RegistryError(400, "TAG_INVALID", f"invalid tag '{reference}'")
        try:
            text = body.decode("utf-8")
            manifest = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise RegistryError(400, "MANIFEST_INVALID", "the manifest is not UTF-8 JSON") from None
        if not isinstance(manifest, dict):
            raise RegistryError(400, "MANIFEST_INVALID", "the manifest is not a JSON object")
        media_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        if media_type in GENERIC_TYPES:
            media_type = manifest.get("mediaType") or ""
        if not media_type:
            raise RegistryError(400, "MANIFEST_INVALID", "no media type: send Content-Type or a mediaType field")
        if media_type in SCHEMA1:
            raise RegistryError(
                400, "MANIFEST_INVALID", "Docker schema 1 manifests are not supported: push schema 2 or OCI"
            )
        self.require_blobs(name, manifest)
        params = {"imageManifest": text, "imageManifestMediaType": media_type, "imageDigest": digest}
        if tag:
            params["imageTag"] = tag
        try:
            await self.call_ecr(target, "put_image", repositoryName=name, **params)
        except ClientError as exc:
            code, message = exc.response["Error"]["Code"], exc.response["Error"].get("Message", "")
            if code != "ImageAlreadyExistsException":  # the same bytes again: nothing to change
                raise self.put_image_error(target, name, code, message) from None
        headers = {**API_VERSION, "Location": f"/v2/{name}/manifests/{digest}", "Docker-Content-Digest": digest}
        return web.Response(status=201, headers={**headers, "Content-Length": "0"})

    def require_blobs(self, name: str, manifest: dict) -> None:
        entries = [manifest.get("config"), *(manifest.get("layers") or [])]
        for entry in entries:
            # Non-distributable (foreign) layers are fetched from their URLs, never pushed.
            if not isinstance(entry, dict) or entry.get("urls"):
                continue
            digest = str(entry.get("digest", ""))
            if not self.has_blob(name, digest):
                raise RegistryError(
                    400,
                    "MANIFEST_BLOB_UNKNOWN",
                    f"blob {digest} referenced by the manifest is unknown to repository '{name}'; push it first",
                    {"digest": digest},
                )

    def put_image_error(self, target: Target, name: str, code: str, message: str) -> RegistryError:
        if code == "ImageTagAlreadyExistsException":
            return RegistryError(400, "TAG_INVALID", message)
        if code == "RepositoryNotFoundException":
            return self.name_unknown(target, name)
        if code in ("ReferencedImagesNotFoundException", "LayersNotFoundException"):
            return RegistryError(400, "MANIFEST_BLOB_UNKNOWN", message)
        if code in ("InvalidParameterException", "ImageDigestDoesNotMatchException"):
            return RegistryError(400, "MANIFEST_INVALID", message)
        if code == "LimitExceededException":
            return RegistryError(429, "TOOMANYREQUESTS", message)
        return RegistryError(500, "UNKNOWN", f"ECR PutImage failed: {code}: {message}")

    async def manifest_get(self, request: web.Request, target: Target, name: str, reference: str) -> web.StreamResponse:
        body, headers = await self.fetch_manifest(target, name, reference)
        return web.Response(body=body, headers=headers)

    async def manifest_head(
        self, request: web.Request, target: Target, name: str, reference: str
    ) -> web.StreamResponse:
        body, headers = await self.fetch_manifest(target, name, reference)
        return web.Response(headers={**headers, "Content-Length": str(len(body))})

    async def fetch_manifest(self, target: Target, name: str, reference: str) -> tuple[bytes, dict[str, str]]:
        image_id = {"imageDigest": reference} if ":" in reference else {"imageTag": reference}
        try:
            result = await self.call_ecr(target, "batch_get_image", repositoryName=name, imageIds=[image_id])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "RepositoryNotFoundException":
                raise self.name_unknown(target, name) from None
            raise
        if not result.get("images"):
            raise RegistryError(
                404,
                "MANIFEST_UNKNOWN",
                f"manifest '{reference}' unknown to repository '{name}'",
                {"reference": reference},
            )
        image = result["images"][0]
        body = image["imageManifest"].encode("utf-8")
        digest = image["imageId"]["imageDigest"]
        media_type = image.get("imageManifestMediaType") or json.loads(body).get("mediaType") or "application/json"
        headers = {**API_VERSION, "Content-Type": media_type, "Docker-Content-Digest": digest, "ETag": f'"{digest}"'}
        return body, headers

    async def manifest_delete(
        self, request: web.Request, target: Target, name: str, reference: str
    ) -> web.StreamResponse:
        image_id = {"imageDigest": reference} if ":" in reference else {"imageTag": reference}
        result = await self.call_ecr(target, "batch_delete_image", repositoryName=name, imageIds=[image_id])
        if not result.get("imageIds"):
            raise RegistryError(404, "MANIFEST_UNKNOWN", f"manifest '{reference}' unknown to repository '{name}'")
        return web.Response(status=202, headers=API_VERSION)

    # --- tags -------------------------------------------------------------------------------

    async def tags_get(self, request: web.Request, target: Target, name: str) -> web.StreamResponse:
        tags: set[str] = set()
        params: dict[str, Any] = {"repositoryName": name, "filter": {"tagStatus": "TAGGED"}}
        while True:
            page = await self.call_ecr(target, "list_images", **params)
            tags.update(i["imageTag"] for i in page.get("imageIds", []) if i.get("imageTag"))
            if not page.get("nextToken"):
                break
            params["nextToken"] = page["nextToken"]
        ordered = sorted(tags)
        last = request.query.get("last")
        if last:
            ordered = [t for t in ordered if t > last]
        headers = dict(API_VERSION)
        limit = request.query.get("n")
        if limit and limit.isdigit() and int(limit) < len(ordered):
            ordered = ordered[: int(limit)]
            headers["Link"] = f'</v2/{name}/tags/list?n={limit}&last={ordered[-1]}>; rel="next"'
        return web.json_response({"name": name, "tags": ordered}, headers=headers)

    # --- operations -------------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok", "ecr": self.ecr_endpoint, "region": self.region})

    async def reset_handler(self, request: web.Request) -> web.StreamResponse:
        self.reset()
        return web.json_response({"status": "reset"})

    async def close(self, app: web.Application) -> None:
        if self._http is not None:
            await self._http.close()


def build_app(registry: Registry) -> web.Application:
    app = web.Application(client_max_size=MAX_MANIFEST_BYTES)
    app.router.add_get("/healthz", registry.healthz)
    app.router.add_post("/emulator/reset", registry.reset_handler)
    app.router.add_route("*", "/v2/{tail:.*}", registry.handle)
    app.router.add_route("*", "/v2", registry.handle)
    app.on_cleanup.append(registry.close)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.registry.server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ecr-endpoint", required=True)
    parser.add_argument("--storage", type=Path, required=True)
    parser.add_argument("--region", default=DEFAULT_REGION)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    registry = Registry(args.ecr_endpoint, args.storage, args.region)
    log.info("registry for ECR at %s, storage %s", args.ecr_endpoint, args.storage)
    with contextlib.suppress(KeyboardInterrupt):
        web.run_app(build_app(registry), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
