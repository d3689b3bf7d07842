# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build an image into an OCI layout, read its manifest digest, push that layout: for the ecr_image module.

The layout the builder exports is the artifact. Its manifest's sha256 is the digest before anything
is pushed, and skopeo pushes those very bytes (``--preserve-digests``), so the registry can only store
that digest or refuse. Pushing from the builder's storage instead would compress the layers a second
time and merely be expected to come out the same.

Command builders are pure (lists of arguments) and unit-tested; ``run`` is given by the module
(``module.run_command``) so nothing here needs a module object.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

BUILDERS = ("buildah", "docker")
# https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageIdentifier.html (imageTag)
TAG = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
STDERR_TAIL_LINES = 25


class ImageBuildError(Exception):
    """A build, export or push failed; the message says which and ends with the tool's own output."""


def default_storage():
    return str(Path("~/.cache/teamf/buildah").expanduser())


def tail(text, lines=STDERR_TAIL_LINES):
    return "\n".join((text or "").rstrip().splitlines()[-lines:])


def buildah_base(storage):
    """buildah with a storage of its own: vfs works on any file system and never touches /var/lib/containers."""
    return [
        "buildah",
        "--storage-driver",
        "vfs",
        "--root",
        str(Path(storage) / "root"),
        "--runroot",
        str(Path(storage) / "runroot"),
    ]


def build_commands(builder, context, dockerfile, name, layout, build_args, storage):
    """The commands that build ``context`` and export the image as an OCI layout into ``layout``."""
    args = [arg for key, value in sorted(build_args.items()) for arg in ("--build-arg", f"{key}={value}")]
    if builder == "buildah":
        base = buildah_base(storage)
        return [
            # chroot: the OCI runtimes cannot create containers on hosts with hybrid cgroups (crun) or
            # without the privileges they want; RUN steps of a build need no more isolation than this.
            # --timestamp 0 sets every date in the image (files included) to the epoch: the same context
            # gives the same digest on every machine with the same buildah. --layers=false: one layer, and
            # no cached intermediate images to reuse by accident.
            [
                *base,
                "bud",
                "--isolation",
                "chroot",
                "--timestamp",
                "0",
                "--layers=false",
                "--quiet",
                "-f",
                str(dockerfile),
                "-t",
                name,
                *args,
                str(context),
            ],
            [*base, "push", "--quiet", name, f"oci:{layout}"],
        ]
    # BuildKit attaches provenance and SBOM attestations by default: an image index plus attestation
    # manifests, which ECR lists as untagged images next to every push and which change the digest on
    # every build. Off, the result is one plain image manifest, as with buildah.
    return [
        [
            "docker",
            "buildx",
            "build",
            "--provenance=false",
            "--sbom=false",
            "-f",
            str(dockerfile),
            "-t",
            name,
            *args,
            "--output",
            f"type=oci,dest={layout},tar=false",
            str(context),
        ]
    ]


def cleanup_commands(builder, name, storage):
    """Drop the built image from the builder's storage: the layout holds it, and the storage stays bounded."""
    if builder == "buildah":
        return [[*buildah_base(storage), "rmi", name]]
    return []


def push_command(layout, reference, authfile, digestfile, plain_http):
    command = [
        "skopeo",
        "copy",
        "--quiet",
        "--retry-times",
        "3",
        "--preserve-digests",
        "--dest-authfile",
        str(authfile),
        "--digestfile",
        str(digestfile),
    ]
    if plain_http:
        command.append("--dest-tls-verify=false")
    return [*command, f"oci:{layout}", f"docker://{reference}"]


def build_environment(builder):
    # BuildKit takes the dates in the image from SOURCE_DATE_EPOCH (buildah's --timestamp 0 equivalent).
    return {"SOURCE_DATE_EPOCH": "0"} if builder == "docker" else {}


def manifest_digest(manifest_bytes):
    return "sha256:" + hashlib.sha256(manifest_bytes).hexdigest()


def image_size(manifest):
    """Bytes of the compressed layers: what ECR reports as imageSizeInBytes."""
    return sum(int(layer.get("size", 0)) for layer in manifest.get("layers", []))


def read_layout(layout):
    """``(digest, size)`` of the one image in the OCI layout ``layout``."""
    layout = Path(layout)
    try:
        index = json.loads((layout / "index.json").read_text())
    except (OSError, ValueError) as exc:
        raise ImageBuildError(f"the builder wrote no readable OCI layout in {layout}: {exc}") from exc
    manifests = [m for m in index.get("manifests", []) if m.get("mediaType") in MANIFEST_TYPES]
    if len(manifests) != 1:
        kinds = sorted({m.get("mediaType", "?") for m in index.get("manifests", [])}) or ["none"]
        raise ImageBuildError(
            f"expected one image manifest in the exported layout, found {len(manifests)} ({', '.join(kinds)}); "
            "a multi-platform build or attestations make an index ECR would list as several images"
        )
    digest = manifests[0]["digest"]
    algorithm, _, hexdigest = digest.partition(":")
    data = (layout / "blobs" / algorithm / hexdigest).read_bytes()
    if manifest_digest(data) != digest:
        raise ImageBuildError(f"the layout's manifest does not hash to {digest}: the export is corrupt")
    return digest, image_size(json.loads(data))


def stage_context(context, extra_files, workdir):
    """A copy of ``context`` under ``workdir`` with ``extra_files`` (path in the context -> file) added.

    The checkout is never written to: a staged file cannot end up committed, nor make the tree dirty.
    """
    staged = Path(workdir) / "context"
    shutil.copytree(context, staged, symlinks=True)
    for destination, source in sorted(extra_files.items()):
        target = staged / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        shutil.copy2(source, target)
    return staged


def check_inputs(params, which=shutil.which):
    """Problems with the build inputs, each naming the option; empty when the build can start."""
    problems = [
        f"{option}: {params[option]!r} is not an ECR image tag (letters, digits, _ . -, at most 128)"
        for option in ("tag", "source_tag")
        if params.get(option) is not None and not TAG.match(params[option])
    ]
    if params.get("digest") is not None and not DIGEST.match(params["digest"]):
        problems.append(f"digest: {params['digest']!r} is not an image digest (sha256: and 64 hex digits)")
    context = params.get("context")
    if context is None:
        return problems
    if not os.path.isdir(context):
        problems.append(f"context: {context} is not a directory")
    elif not os.path.isfile(os.path.join(context, params["dockerfile"])):
        problems.append(f"dockerfile: {params['dockerfile']} not found in the context {context}")
    for destination, source in sorted((params.get("extra_files") or {}).items()):
        parts = Path(destination).parts
        if Path(destination).is_absolute() or ".." in parts or not parts:
            problems.append(f"extra_files: {destination!r} must be a relative path inside the context")
        if not os.path.isfile(source):
            problems.append(f"extra_files.{destination}: {source} is not a file on the controller")
    if which(params["builder"]) is None:
        problems.append(f"builder: {params['builder']} is not on the controller's PATH (install it, or use the other)")
    if which("skopeo") is None:
        problems.append("skopeo is not on the controller's PATH: the image is pushed with it (install skopeo)")
    return problems
