"""The committed releases/ are what the build flow produced: rebuilding each release's source commit
gives exactly the digests the release pins (buildah, --timestamp 0), so dev, staging and prod run
bytes anyone can rebuild from the repository's history."""

from __future__ import annotations

import importlib.util
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.integration.test_build_release import platform_components


def _image_build():
    """The build's own commands (plugins/module_utils/image_build.py), loaded from the checkout."""
    spec = importlib.util.spec_from_file_location("image_build", REPO_ROOT / "plugins/module_utils/image_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


image_build = _image_build()

RELEASES = sorted((REPO_ROOT / "releases").glob("*.yml"))
BUILT = {(c["chart_key"]): c for c in platform_components()}


def pinned_images():
    """(release, chart key, commit, digest) for every image a committed release pins by digest."""
    for path in RELEASES:
        manifest = yaml.safe_load(path.read_text())
        for key, image in manifest["images"].items():
            if key in BUILT:
                yield pytest.param(manifest["source"]["commit"], key, image["digest"], id=f"{path.stem}-{key}")


def test_every_release_names_the_commit_it_was_built_from():
    assert RELEASES
    for path in RELEASES:
        manifest = yaml.safe_load(path.read_text())
        assert len(manifest["source"]["commit"]) == 40, path
        assert {key for key, image in manifest["images"].items() if "digest" in image} == set(BUILT), path


@pytest.mark.parametrize(("commit", "key", "digest"), list(pinned_images()))
def test_rebuilding_the_source_commit_gives_the_pinned_digest(commit, key, digest, tmp_path):
    component = BUILT[key]
    archive = tmp_path / "source.tar"
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "-o", str(archive), commit, component["context"]],
        check=True,
        capture_output=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "source", filter="tar")
    context = image_build.stage_context(tmp_path / "source" / component["context"], component["extra_files"], tmp_path)
    layout, storage = tmp_path / "layout", tmp_path / "storage"
    name = f"localhost/rebuild-{key.lower()}:{commit}"
    for command in image_build.build_commands(
        "buildah", context, Path(context) / component["dockerfile"], name, layout, {}, storage
    ):
        subprocess.run(command, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    assert image_build.read_layout(layout)[0] == digest
