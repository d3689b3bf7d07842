"""emulator.registry with real clients (buildah, skopeo, helm) and raw OCI distribution requests.

ECR is the source of truth: every assertion about what was pushed reads it back with boto3.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from emulator.kube.tools import install_tools
from emulator.registry.launcher import RegistryEmulator
from tests.conftest import RegistryStandIn, _free_port

BIN = Path(sys.executable).parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args[:3])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (Debian package {name}; make setup installs it)")
    return path


class Images:
    """Two small OCI images built with buildah from scratch, as playbooks/build.yml builds them."""

    def __init__(self, root: Path):
        self.root = root
        self.storage = ["--storage-driver", "vfs", "--root", str(root / "root"), "--runroot", str(root / "runroot")]
        for variant in ("a", "b"):
            context = root / f"context-{variant}"
            context.mkdir()
            shutil.copy("/bin/busybox", context / "busybox")
            (context / "variant").write_text(variant)
            (context / "Containerfile").write_text(
                'FROM scratch\nCOPY busybox /bin/busybox\nCOPY variant /variant\nCMD ["/bin/busybox", "true"]\n'
            )
            build = ["bud", "--isolation", "chroot", "--timestamp", "0", "-t", f"localhost/probe:{variant}"]
            run(tool("buildah"), *self.storage, *build, str(context))
            run(tool("buildah"), *self.storage, "push", f"localhost/probe:{variant}", f"oci:{root / 'oci'}:{variant}")

    def layout(self, variant: str) -> str:
        return f"oci:{self.root / 'oci'}:{variant}"

    def buildah(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(tool("buildah"), *self.storage, *args, check=check)


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Images:
    if not Path("/bin/busybox").exists():
        pytest.fail("/bin/busybox is missing (Debian package busybox-static; make setup installs it)")
    return Images(tmp_path_factory.mktemp("images"))


class Client:
    """Raw distribution API calls with the registry's basic credentials."""

    def __init__(self, registry, password: str | None = None):
        self.base = registry.url
        self.session = requests.Session()
        self.session.auth = ("AWS", password or registry.password())

    def __getattr__(self, method):
        def call(path: str, **kwargs):
            return self.session.request(method.upper(), f"{self.base}{path}", timeout=30, **kwargs)

        return call

    def push_blob(self, name: str, data: bytes) -> str:
        digest = sha256(data)
        resp = self.post(f"/v2/{name}/blobs/uploads/", params={"digest": digest}, data=data)
        assert resp.status_code == 201, resp.text
        return digest

    def push_image(self, name: str, reference: str, layers: list[bytes], config: bytes = b"{}") -> bytes:
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config)},
            "layers": [],
        }
        manifest["config"]["digest"] = self.push_blob(name, config)
        for layer in layers:
            entry = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(layer)}
            manifest["layers"].append({**entry, "digest": self.push_blob(name, layer)})
        body = json.dumps(manifest, indent=2).encode()
        resp = self.put(f"/v2/{name}/manifests/{reference}", data=body, headers={"Content-Type": OCI_MANIFEST})
        assert resp.status_code == 201, resp.text
        return body


def error_codes(resp: requests.Response) -> list[str]:
    return [e["code"] for e in resp.json()["errors"]]


def ecr_images(registry, name: str) -> list[dict]:
    return registry.ecr().describe_images(repositoryName=name)["imageDetails"]


# --- authentication -------------------------------------------------------------------------


def test_only_ecr_passwords_are_admitted(registry):
    anonymous = requests.get(f"{registry.url}/v2/", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith('Basic realm="')
    assert error_codes(anonymous) == ["UNAUTHORIZED"]
    password = registry.password()
    for user, secret in [("AWS", "123456789012-auth-token"), ("AWS", password[:-2]), ("admin", password)]:
        refused = requests.get(f"{registry.url}/v2/", auth=(user, secret), timeout=10)
        assert refused.status_code == 401, (user, refused.text)
        assert "WWW-Authenticate" in refused.headers
    admitted = requests.get(f"{registry.url}/v2/", auth=("AWS", password), timeout=10)
    assert admitted.status_code == 200
    assert admitted.headers["Docker-Distribution-API-Version"] == "registry/2.0"


def test_expired_password_is_refused(emulator_factory, tmp_path_factory):
    short_lived = emulator_factory(TEAMF_EMULATOR_ECR_TOKEN_SECONDS="1")
    server = RegistryEmulator(port=_free_port(), state_dir=tmp_path_factory.mktemp("reg"), ecr_endpoint=short_lived.url)
    server.start()
    try:
        password = RegistryStandIn(short_lived, server).password()
        assert requests.get(f"{server.url}/v2/", auth=("AWS", password), timeout=10).status_code == 200
        time.sleep(1.5)
        expired = requests.get(f"{server.url}/v2/", auth=("AWS", password), timeout=10)
        assert expired.status_code == 401
        assert "has expired" in expired.json()["errors"][0]["message"]
    finally:
        server.stop()


# --- real clients ---------------------------------------------------------------------------


def test_skopeo_push_and_pull_by_digest(registry, images, tmp_path):
    name = registry.create_repository("teamf/auth-api", imageTagMutability="IMMUTABLE")
    password = registry.password()
    ref = f"docker://{registry.endpoint}/{name}"
    skopeo = tool("skopeo")
    run(
        skopeo,
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        f"AWS:{password}",
        images.layout("a"),
        f"{ref}:{COMMIT}",
    )

    [detail] = ecr_images(registry, name)
    client = Client(registry, password)
    head = client.head(f"/v2/{name}/manifests/{COMMIT}", headers={"Accept": OCI_MANIFEST})
    got = client.get(f"/v2/{name}/manifests/{detail['imageDigest']}", headers={"Accept": OCI_MANIFEST})
    assert detail["imageDigest"] == head.headers["Docker-Content-Digest"] == sha256(got.content)
    assert int(head.headers["Content-Length"]) == len(got.content)
    assert got.headers["Content-Type"] == OCI_MANIFEST
    manifest = got.json()
    assert detail["imageSizeInBytes"] == sum(layer["size"] for layer in manifest["layers"])
    assert detail["imageTags"] == [COMMIT]

    pulled = tmp_path / "pulled"
    creds = ["--src-tls-verify=false", "--src-creds", f"AWS:{password}"]
    run(skopeo, "copy", *creds, f"{ref}@{detail['imageDigest']}", f"oci:{pulled}:x")
    index = json.loads((pulled / "index.json").read_text())
    assert index["manifests"][0]["digest"] == detail["imageDigest"]
    for layer in manifest["layers"]:
        blob = pulled / "blobs" / "sha256" / layer["digest"].split(":")[1]
        assert sha256(blob.read_bytes()) == layer["digest"]


def test_buildah_push_to_an_immutable_repository(registry, images, tmp_path):
    name = registry.create_repository("teamf/users-api", imageTagMutability="IMMUTABLE")
    creds = ["--tls-verify=false", "--creds", f"AWS:{registry.password()}"]
    dest = f"docker://{registry.endpoint}/{name}:{COMMIT}"
    digest_file = tmp_path / "digest"
    images.buildah("push", *creds, "--digestfile", str(digest_file), "localhost/probe:a", dest)
    [original] = ecr_images(registry, name)
    assert original["imageDigest"] == digest_file.read_text().strip()

    # Other bytes under the same tag: refused with ECR's message, ECR keeps the original.
    other = images.buildah("push", *creds, "localhost/probe:b", dest, check=False)
    assert other.returncode != 0
    assert (
        f"tag invalid: The image tag '{COMMIT}' already exists in the '{name}' repository and cannot be "
        "overwritten because the repository is immutable." in other.stderr
    )
    # The same bytes again: refused too, as ECR does for immutable tags; still one image.
    again = images.buildah("push", *creds, "localhost/probe:a", dest, check=False)
    assert again.returncode != 0
    assert "tag invalid" in again.stderr
    [still] = ecr_images(registry, name)
    assert (still["imageDigest"], still["imageTags"]) == (original["imageDigest"], [COMMIT])


def test_same_bytes_twice_into_a_mutable_repository_is_one_image(registry, images):
    name = registry.create_repository("teamf/mutable")
    creds = ["--dest-tls-verify=false", "--dest-creds", f"AWS:{registry.password()}"]
    for _ in range(2):
        run(tool("skopeo"), "copy", *creds, images.layout("a"), f"docker://{registry.endpoint}/{name}:latest")
    [detail] = ecr_images(registry, name)
    assert detail["imageTags"] == ["latest"]


def test_unknown_repository_is_name_unknown_and_nothing_is_stored(registry, images):
    name = "teamf/never-created"
    copied = run(
        tool("skopeo"),
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        f"AWS:{registry.password()}",
        images.layout("a"),
        f"docker://{registry.endpoint}/{name}:v1",
        check=False,
    )
    assert copied.returncode != 0
    assert f"The repository with name '{name}' does not exist" in copied.stderr
    resp = Client(registry).post(f"/v2/{name}/blobs/uploads/")
    assert resp.status_code == 404
    [error] = resp.json()["errors"]
    assert error["code"] == "NAME_UNKNOWN"
    assert "aws ecr create-repository --repository-name teamf/never-created" in error["message"]
    assert not (registry.server.storage_dir / "repositories" / name).exists()
    assert name not in [r["repositoryName"] for r in registry.ecr().describe_repositories()["repositories"]]


def test_helm_oci_push_and_pull(registry, tmp_path):
    install_tools(BIN)
    helm = str(BIN / "helm")
    name = registry.create_repository("teamf/chart")
    chart_name = name.split("/", 1)[1]
    chart = tmp_path / chart_name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {chart_name}\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n")
    env = dict(
        os.environ,
        HELM_CONFIG_HOME=str(tmp_path / "config"),
        HELM_CACHE_HOME=str(tmp_path / "cache"),
        HELM_DATA_HOME=str(tmp_path / "data"),
    )
    run(helm, "package", str(chart), "-d", str(tmp_path), env=env)
    login = ["registry", "login", "--insecure", registry.endpoint, "-u", "AWS", "--password-stdin"]
    run(helm, *login, input=registry.password(), env=env)
    pushed = run(
        helm,
        "push",
        str(tmp_path / f"{chart_name}-0.1.0.tgz"),
        f"oci://{registry.endpoint}/teamf",
        "--plain-http",
        env=env,
    )
    digest = next(
        line.split()[-1] for line in (pushed.stdout + pushed.stderr).splitlines() if line.startswith("Digest:")
    )

    [detail] = ecr_images(registry, name)
    assert (detail["imageDigest"], detail["imageTags"]) == (digest, ["0.1.0"])
    assert detail["artifactMediaType"] == "application/vnd.cncf.helm.config.v1+json"
    out = tmp_path / "pulled"
    out.mkdir()
    pull = ["pull", f"oci://{registry.endpoint}/{name}", "--version", "0.1.0", "--plain-http", "-d", str(out)]
    run(helm, *pull, env=env)
    assert (out / f"{chart_name}-0.1.0.tgz").read_bytes() == (tmp_path / f"{chart_name}-0.1.0.tgz").read_bytes()


# --- the protocol, request by request --------------------------------------------------------


def test_chunked_upload_with_ranges_and_digest_check(registry):
    name = registry.create_repository()
    client = Client(registry)
    data = os.urandom(300_000)
    start = client.post(f"/v2/{name}/blobs/uploads/")
    assert start.status_code == 202
    location = start.headers["Location"]
    assert start.headers["Range"] == "0-0"
    first = client.patch(location, data=data[:100_000], headers={"Content-Range": "0-99999"})
    assert (first.status_code, first.headers["Range"]) == (202, "0-99999")
    gap = client.patch(location, data=data[200_000:], headers={"Content-Range": "200000-299999"})
    assert gap.status_code == 416
    second = client.patch(location, data=iter([data[100_000:200_000], data[200_000:]]))  # chunked transfer
    assert second.headers["Range"] == "0-299999"
    assert client.get(location).status_code == 204
    wrong = client.put(location, params={"digest": sha256(b"other")})
    assert (wrong.status_code, error_codes(wrong)) == (400, ["DIGEST_INVALID"])

    start = client.post(f"/v2/{name}/blobs/uploads/")
    client.patch(start.headers["Location"], data=data[:150_000])
    done = client.put(start.headers["Location"], params={"digest": sha256(data)}, data=data[150_000:])
    assert done.status_code == 201
    assert done.headers["Docker-Content-Digest"] == sha256(data)
    head = client.head(f"/v2/{name}/blobs/{sha256(data)}")
    assert (head.status_code, head.headers["Content-Length"]) == (200, str(len(data)))
    assert client.get(f"/v2/{name}/blobs/{sha256(data)}").content == data
    ranged = client.get(f"/v2/{name}/blobs/{sha256(data)}", headers={"Range": "bytes=10-19"})
    assert (ranged.status_code, ranged.content) == (206, data[10:20])


def test_blobs_belong_to_repositories_and_mount_across_them(registry):
    source, target = registry.create_repository(), registry.create_repository()
    client = Client(registry)
    digest = client.push_blob(source, b"shared layer")
    assert client.head(f"/v2/{target}/blobs/{digest}").status_code == 404
    mounted = client.post(f"/v2/{target}/blobs/uploads/", params={"mount": digest, "from": source})
    assert (mounted.status_code, mounted.headers["Location"]) == (201, f"/v2/{target}/blobs/{digest}")
    assert client.get(f"/v2/{target}/blobs/{digest}").content == b"shared layer"
    # A blob the source lacks: an ordinary upload starts instead.
    fallback = client.post(f"/v2/{target}/blobs/uploads/", params={"mount": sha256(b"x"), "from": source})
    assert fallback.status_code == 202


def test_manifest_with_missing_blobs_is_refused_and_not_in_ecr(registry):
    name = registry.create_repository()
    client = Client(registry)
    config = client.push_blob(name, b"{}")
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": config},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": 5, "digest": sha256(b"never")}],
    }
    resp = client.put(f"/v2/{name}/manifests/v1", data=json.dumps(manifest), headers={"Content-Type": OCI_MANIFEST})
    assert (resp.status_code, error_codes(resp)) == (400, ["MANIFEST_BLOB_UNKNOWN"])
    assert resp.json()["errors"][0]["detail"] == {"digest": sha256(b"never")}
    assert ecr_images(registry, name) == []


def test_push_by_digest_index_and_tags(registry):
    name = registry.create_repository()
    client = Client(registry)
    child = client.push_image(name, "untagged-first", [b"layer one"])
    by_digest = client.put(f"/v2/{name}/manifests/{sha256(child)}", data=child, headers={"Content-Type": OCI_MANIFEST})
    assert by_digest.status_code == 201  # already there: nothing changes
    wrong = client.put(f"/v2/{name}/manifests/{sha256(b'x')}", data=child, headers={"Content-Type": OCI_MANIFEST})
    assert error_codes(wrong) == ["DIGEST_INVALID"]

    entry = {"mediaType": OCI_MANIFEST, "size": len(child), "digest": sha256(child), "platform": {"os": "linux"}}
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}).encode()
    put = client.put(f"/v2/{name}/manifests/multi", data=index, headers={"Content-Type": OCI_INDEX})
    assert (put.status_code, put.headers["Docker-Content-Digest"]) == (201, sha256(index))
    got = client.get(f"/v2/{name}/manifests/multi", headers={"Accept": OCI_INDEX})
    assert (got.content, got.headers["Content-Type"]) == (index, OCI_INDEX)
    missing = json.dumps({**json.loads(index), "manifests": [{**entry, "digest": sha256(b"nothing")}]})
    refused = client.put(f"/v2/{name}/manifests/broken", data=missing, headers={"Content-Type": OCI_INDEX})
    assert error_codes(refused) == ["MANIFEST_BLOB_UNKNOWN"]

    for tag in ("b", "a", "c"):
        client.push_image(name, tag, [tag.encode()])
    tags = client.get(f"/v2/{name}/tags/list").json()
    assert tags == {"name": name, "tags": ["a", "b", "c", "multi", "untagged-first"]}
    page = client.get(f"/v2/{name}/tags/list", params={"n": 2})
    assert page.json()["tags"] == ["a", "b"]
    assert page.headers["Link"] == f'</v2/{name}/tags/list?n=2&last=b>; rel="next"'
    assert client.get(f"/v2/{name}/tags/list", params={"n": 2, "last": "b"}).json()["tags"] == ["c", "multi"]
    assert error_codes(client.get(f"/v2/{name}/manifests/nope")) == ["MANIFEST_UNKNOWN"]


def test_ecr_download_url_serves_the_layer(registry):
    name = registry.create_repository()
    client = Client(registry)
    body = json.loads(client.push_image(name, "v1", [b"layer bytes"]))
    ecr = registry.ecr()
    layer = body["layers"][0]["digest"]
    url = ecr.get_download_url_for_layer(repositoryName=name, layerDigest=layer)["downloadUrl"]
    assert url.startswith(f"{registry.url}/v2/{name}/blobs/{layer}?")
    assert requests.get(url, timeout=10).content == b"layer bytes"  # no other credentials
    config = body["config"]["digest"]
    assert requests.get(url.replace(layer, config), timeout=10).status_code == 401  # one layer only
    with pytest.raises(ecr.exceptions.LayersNotFoundException):
        ecr.get_download_url_for_layer(repositoryName=name, layerDigest=sha256(b"unknown"))


def test_reset_drops_blobs(registry):
    name = registry.create_repository()
    client = Client(registry)
    digest = client.push_blob(name, b"to be dropped")
    registry.server.reset()
    assert client.head(f"/v2/{name}/blobs/{digest}").status_code == 404


def test_registry_and_region_come_from_an_aws_shaped_host(registry):
    name = registry.create_repository()
    client = Client(registry)
    ours = {"Host": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"}
    assert client.get(f"/v2/{name}/tags/list", headers=ours).status_code == 200
    # ECR passwords are per registry and region, as on AWS.
    other_region = client.get(f"/v2/{name}/tags/list", headers={"Host": "123456789012.dkr.ecr.us-east-1.amazonaws.com"})
    assert other_region.status_code == 401
    assert "not 123456789012 in us-east-1" in other_region.json()["errors"][0]["message"]
