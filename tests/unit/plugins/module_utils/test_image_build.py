"""image_build: the builder and push commands, the OCI layout reader, context staging and input checks."""

import hashlib
import json
import re

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.image_build import (
    ImageBuildError,
    build_commands,
    check_inputs,
    push_command,
    read_layout,
    stage_context,
)

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def write_layout(path, manifests):
    """An OCI layout holding ``manifests`` (bytes); returns their digests."""
    blobs = path / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    entries = []
    for data, media_type in manifests:
        hexdigest = hashlib.sha256(data).hexdigest()
        (blobs / hexdigest).write_bytes(data)
        entries.append({"mediaType": media_type, "digest": f"sha256:{hexdigest}", "size": len(data)})
    (path / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": entries}))
    return [entry["digest"] for entry in entries]


def test_buildah_builds_reproducibly_in_its_own_storage_then_exports_a_layout():
    bud, export = build_commands("buildah", "/ctx", "/ctx/Dockerfile", "r/x:1", "/w/layout", {"B": "2", "A": "1"}, "/s")
    base = ["buildah", "--storage-driver", "vfs", "--root", "/s/root", "--runroot", "/s/runroot"]
    assert bud[: len(base)] == base and export[: len(base)] == base
    assert bud[len(base) :] == [
        "bud",
        "--isolation",
        "chroot",
        "--timestamp",
        "0",
        "--layers=false",
        "--quiet",
        "-f",
        "/ctx/Dockerfile",
        "-t",
        "r/x:1",
        "--build-arg",
        "A=1",
        "--build-arg",
        "B=2",
        "/ctx",
    ]
    assert export[len(base) :] == ["push", "--quiet", "r/x:1", "oci:/w/layout"]


def test_docker_builds_without_attestations_straight_into_a_layout():
    [command] = build_commands("docker", "/ctx", "/ctx/Dockerfile", "r/x:1", "/w/layout", {}, "/s")
    assert command[:3] == ["docker", "buildx", "build"]
    assert "--provenance=false" in command and "--sbom=false" in command
    assert command[command.index("--output") + 1] == "type=oci,dest=/w/layout,tar=false"
    assert command[-1] == "/ctx"


@pytest.mark.parametrize(
    ("plain_http", "insecure"),
    [pytest.param(True, True, id="push-endpoint"), pytest.param(False, False, id="aws")],
)
def test_push_sends_the_layout_bytes_with_the_private_login(plain_http, insecure):
    command = push_command("/w/layout", "host:5000/teamf/x:abc", "/w/auth.json", "/w/digest", plain_http)
    assert command[:2] == ["skopeo", "copy"]
    assert "--preserve-digests" in command
    assert command[command.index("--dest-authfile") + 1] == "/w/auth.json"
    assert ("--dest-tls-verify=false" in command) is insecure
    assert command[-2:] == ["oci:/w/layout", "docker://host:5000/teamf/x:abc"]
    assert not any("AWS:" in part for part in command)


def test_layout_digest_is_the_manifest_sha256_and_size_the_compressed_layers(tmp_path):
    manifest = json.dumps(
        {"schemaVersion": 2, "config": {"size": 7}, "layers": [{"size": 1000}, {"size": 234}]}
    ).encode()
    [digest] = write_layout(tmp_path, [(manifest, OCI_MANIFEST)])
    assert read_layout(tmp_path) == (digest, 1234)
    assert digest == "sha256:" + hashlib.sha256(manifest).hexdigest()


@pytest.mark.parametrize(
    ("manifests", "message"),
    [
        pytest.param([], "found 0", id="empty"),
        pytest.param([(b"{}", OCI_MANIFEST), (b"[]", OCI_MANIFEST)], "found 2", id="two-images"),
        pytest.param([(b"{}", "application/vnd.oci.image.index.v1+json")], "index.v1+json", id="index-only"),
    ],
)
def test_layouts_that_are_not_one_image_are_refused(tmp_path, manifests, message):
    write_layout(tmp_path, manifests)
    with pytest.raises(ImageBuildError, match=re.escape(message)):
        read_layout(tmp_path)


def test_a_corrupt_manifest_blob_is_refused(tmp_path):
    [digest] = write_layout(tmp_path, [(b"{}", OCI_MANIFEST)])
    (tmp_path / "blobs" / "sha256" / digest[7:]).write_bytes(b"{ }")
    with pytest.raises(ImageBuildError, match="corrupt"):
        read_layout(tmp_path)


def test_a_missing_layout_is_reported(tmp_path):
    with pytest.raises(ImageBuildError, match="no readable OCI layout"):
        read_layout(tmp_path / "nothing")


def test_staging_adds_files_to_a_copy_and_leaves_the_context_alone(tmp_path):
    context = tmp_path / "ctx"
    (context / "www").mkdir(parents=True)
    (context / "Dockerfile").write_text("FROM scratch\n")
    (context / "busybox").write_text("stale copy\n")
    tool = tmp_path / "tool"
    tool.write_text("binary\n")
    staged = stage_context(context, {"busybox": str(tool), "bin/helper": str(tool)}, tmp_path / "work")
    assert (staged / "Dockerfile").read_text() == "FROM scratch\n"
    assert (staged / "busybox").read_text() == "binary\n"
    assert (staged / "bin" / "helper").read_text() == "binary\n"
    assert (context / "busybox").read_text() == "stale copy\n"
    assert not (context / "bin").exists()


def params(tmp_path, **overrides):
    context = tmp_path / "ctx"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text("FROM scratch\n")
    base = {
        "tag": "0" * 40,
        "context": str(context),
        "dockerfile": "Dockerfile",
        "extra_files": {},
        "builder": "buildah",
        "source_tag": None,
        "digest": None,
    }
    return dict(base, **overrides)


def on_path(*tools):
    return lambda tool: f"/usr/bin/{tool}" if tool in tools else None


def test_good_inputs_have_no_problems(tmp_path):
    assert check_inputs(params(tmp_path), which=on_path("buildah", "skopeo")) == []


@pytest.mark.parametrize(
    ("overrides", "tools", "expected"),
    [
        pytest.param({"tag": "a b"}, ("buildah", "skopeo"), "tag: 'a b' is not an ECR image tag", id="tag"),
        pytest.param({"context": "/nonexistent"}, ("buildah", "skopeo"), "context: /nonexistent", id="context"),
        pytest.param({"dockerfile": "Other"}, ("buildah", "skopeo"), "dockerfile: Other not found", id="dockerfile"),
        pytest.param(
            {"extra_files": {"../x": "/bin/sh"}}, ("buildah", "skopeo"), "relative path inside", id="extra-escapes"
        ),
        pytest.param(
            {"extra_files": {"busybox": "/nonexistent"}},
            ("buildah", "skopeo"),
            "extra_files.busybox: /nonexistent is not a file",
            id="extra-missing",
        ),
        pytest.param({}, ("skopeo",), "builder: buildah is not on the controller's PATH", id="no-buildah"),
        pytest.param({"builder": "docker"}, ("buildah", "skopeo"), "builder: docker is not", id="no-docker"),
        pytest.param({}, ("buildah",), "skopeo is not on the controller's PATH", id="no-skopeo"),
        pytest.param(
            {"context": None, "digest": "sha256:abc"}, (), "digest: 'sha256:abc' is not an image digest", id="digest"
        ),
        pytest.param({"context": None, "source_tag": "-x"}, (), "source_tag: '-x'", id="source-tag"),
    ],
)
def test_problems_name_the_option(tmp_path, overrides, tools, expected):
    problems = check_inputs(params(tmp_path, **overrides), which=on_path(*tools))
    assert any(expected in problem for problem in problems), problems


def test_tagging_an_existing_image_needs_no_tools(tmp_path):
    assert check_inputs(params(tmp_path, context=None, source_tag="1.2.0"), which=on_path()) == []
