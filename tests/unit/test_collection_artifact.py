"""The collection artifact (`ansible-galaxy collection build`): the collection, not the project around it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent
# What the repository holds besides the collection: none of it belongs in the tarball.
PROJECT_ONLY = (
    "emulator/",
    "benchmarks/",
    "inventories/",
    "playbooks/",
    "charts/",
    "examples/",
    "releases/",
    "tests/",
    "molecule/",
    "tools/",
    "mk/",
    "docs/",
    ".venv",
    ".collections",
    ".github",
    ".ci",
    "site.yml",
    "Makefile",
    "ansible.cfg",
    "requirements.txt",
)


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("artifact")
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", out, REPO_ROOT],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    version = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["version"]
    return out / f"teamf-platform-{version}.tar.gz"


@pytest.fixture(scope="module")
def members(artifact) -> set[str]:
    with tarfile.open(artifact) as tar:
        return {member.name for member in tar.getmembers()}


def test_the_artifact_holds_every_module_role_and_filter(members):
    plugins = {
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "plugins").rglob("*.py")
        if "__pycache__" not in path.parts and path.name != "__init__.py"
    }
    roles = {str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "roles").rglob("*") if path.is_file()}
    assert plugins - members == set()
    assert roles - members == set()
    assert {"MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml"} <= members


def test_the_project_stays_out_of_the_artifact(members):
    leaked = sorted(name for name in members if name.startswith(PROJECT_ONLY) or "__pycache__" in name)
    assert leaked == []


def test_the_installed_artifact_documents_its_modules(artifact, tmp_path):
    """Installed on its own (no checkout on the collections path), its modules load and are documented."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(tmp_path / "collections")
    env["ANSIBLE_LOCAL_TEMP"] = str(tmp_path / "tmp")
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", tmp_path / "collections", artifact],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    listed = subprocess.run(
        [BIN / "ansible-doc", "-t", "module", "-l", "teamf.platform", "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    modules = set(json.loads(listed.stdout))
    expected = {f"teamf.platform.{path.stem}" for path in (REPO_ROOT / "plugins" / "modules").glob("*.py")}
    assert modules == expected
    installed = tmp_path / "collections" / "ansible_collections" / "teamf" / "platform"
    assert (installed / "plugins" / "modules" / "eks_cluster.py").is_file()
    assert not (installed / "emulator").exists()
