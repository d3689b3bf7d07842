"""playbooks/build.yml and playbooks/release.yml against a private emulator and its registry stand-in.

The source is a throw-away git repository holding a copy of examples/backend; the inventory is built
from inventories/local. ECR is the source of truth: every assertion about an image reads it back with
boto3. The tests run in their written order (--dist loadfile): the first build's images are what the
later tests compare against, and each test that changes the source puts it back.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, RegistryStandIn, _free_port, ansible_env
from tests.integration.conftest import PlaybookRun, run_playbook
from tests.integration.modules import Step, run_steps

COMPONENTS = ("auth-api", "users-api")
INVENTORIES = REPO_ROOT / "inventories"
CHART_VERSION = yaml.safe_load((REPO_ROOT / "charts" / "api" / "Chart.yaml").read_text())["version"]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t"}
GIT_ENV["GIT_COMMITTER_EMAIL"] = "t@example.com"


def _release_values():
    """The filter deploy.yml checks a manifest with (plugins/filter/release_values.py), loaded from the checkout."""
    spec = importlib.util.spec_from_file_location("release_values", REPO_ROOT / "plugins/filter/release_values.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.release_values


release_values = _release_values()

# buildah, skopeo and busybox-static are Debian packages `make setup` installs: without them these
# tests fail (they are not skipped), as the product would.


def inventory_from_local(path: Path) -> Path:
    """inventories/local's hosts and links, in a directory of the test's own."""
    (path / "group_vars").mkdir(parents=True)
    (path / "host_vars").mkdir()
    shutil.copy(INVENTORIES / "local" / "hosts.yml", path / "hosts.yml")
    for name in ("all.yml", "ecs_environments.yml", "eks_environments.yml"):
        (path / "group_vars" / name).symlink_to(INVENTORIES / "shared" / "group_vars" / name)
    (path / "group_vars" / "emulator.yml").symlink_to(INVENTORIES / "local" / "group_vars" / "emulator.yml")
    for host_vars in (INVENTORIES / "local" / "host_vars").iterdir():
        (path / "host_vars" / host_vars.name).symlink_to(host_vars.resolve())
    return path


def platform_components() -> list[dict]:
    """The inventory's components; the example's contexts need busybox staged (examples/backend/README.md)."""
    components = yaml.safe_load((INVENTORIES / "shared" / "group_vars" / "all.yml").read_text())["platform_components"]
    return [{"extra_files": {"busybox": "/bin/busybox"}, **component} for component in components]


@dataclass
class Pipeline:
    registry: RegistryStandIn
    namespace: str
    source: Path
    inventory: Path
    work: Path
    extra_vars: Path
    commit: str

    @property
    def build_output(self) -> Path:
        return self.work / "images.json"

    @property
    def releases(self) -> Path:
        return self.work / "releases"

    def env(self, storage: Path | None = None) -> dict[str, str]:
        return dict(
            ansible_env(self.registry.emulator),
            TEAMF_TEST_REGISTRY_ENDPOINT=self.registry.endpoint,
            TEAMF_BUILD_STORAGE=str(storage or self.work / "storage"),
            TEAMF_RELEASES_DIR=str(self.releases),
        )

    def playbook(self, playbook: str, *args: str, storage: Path | None = None) -> PlaybookRun:
        return run_playbook(
            self.registry.emulator,
            playbook,
            self.inventory,
            "-e",
            f"@{self.extra_vars}",
            *args,
            env=self.env(storage),
        )

    def build(self, *args: str, storage: Path | None = None) -> PlaybookRun:
        source = ("-e", f"source_dir={self.source}", "-e", f"build_output={self.build_output}")
        return self.playbook("playbooks/build.yml", *source, *args, storage=storage)

    def release(self, version: str, *args: str) -> PlaybookRun:
        return self.playbook("playbooks/release.yml", "-e", f"version={version}", *args)

    def repository(self, component: str) -> str:
        return f"{self.namespace}/{component}"

    def images(self, component: str) -> dict[str, str]:
        """tag -> digest of every tagged image ECR has for ``component``."""
        details = self.registry.ecr().describe_images(repositoryName=self.repository(component))["imageDetails"]
        return {tag: image["imageDigest"] for image in details for tag in image.get("imageTags", [])}

    def all_images(self) -> dict[str, dict[str, str]]:
        return {component: self.images(component) for component in COMPONENTS}

    def git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(self.source), *args],
            env=dict(os.environ, **GIT_ENV),
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout.strip()


@pytest.fixture(scope="module")
def pipeline(registry, tmp_path_factory) -> Pipeline:
    """ECR repositories of a namespace of this module's own (IMMUTABLE, as the registry role makes them),
    a git checkout of examples/backend and an inventory from inventories/local."""
    work = tmp_path_factory.mktemp("build-release")
    namespace = f"bt{uuid.uuid4().hex[:8]}"
    for component in COMPONENTS:
        registry.ecr().create_repository(
            repositoryName=f"{namespace}/{component}",
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
        )
    source = work / "source"
    shutil.copytree(REPO_ROOT / "examples" / "backend", source / "examples" / "backend")
    extra_vars = work / "vars.yml"
    extra_vars.write_text(
        yaml.safe_dump({"platform_ecr_namespace": namespace, "platform_components": platform_components()})
    )
    (work / "releases").mkdir()
    pipeline = Pipeline(registry, namespace, source, inventory_from_local(work / "inventory"), work, extra_vars, "")
    pipeline.git("init", "-q")
    pipeline.git("add", "-A")
    pipeline.git("commit", "-q", "-m", "example backend")
    pipeline.commit = pipeline.git("rev-parse", "HEAD")
    return pipeline


@pytest.fixture(scope="module")
def built(pipeline) -> dict:
    """The first build's output (test_build_pushes_... makes it; later tests need it)."""
    return json.loads(pipeline.build_output.read_text())


def test_check_mode_builds_but_pushes_nothing(pipeline):
    run = pipeline.build("--check")
    assert run.rc == 0, run.output[-3000:]
    assert run.changed("dev") >= len(COMPONENTS)
    assert "would push" in run.output
    assert pipeline.all_images() == {component: {} for component in COMPONENTS}
    assert not pipeline.build_output.exists()


def test_build_pushes_every_component_under_its_commit(pipeline):
    run = pipeline.build()
    assert run.rc == 0, run.output[-3000:]
    output = json.loads(pipeline.build_output.read_text())
    assert output["commit"] == pipeline.commit
    assert sorted(output["images"]) == sorted(COMPONENTS)
    ecr = pipeline.registry.ecr()
    for component in COMPONENTS:
        image = output["images"][component]
        [repository] = ecr.describe_repositories(repositoryNames=[pipeline.repository(component)])["repositories"]
        assert image["repository"] == repository["repositoryUri"]
        assert image["repository"].endswith(f".dkr.ecr.ap-northeast-2.amazonaws.com/{pipeline.repository(component)}")
        assert image["tag"] == pipeline.commit
        assert pipeline.images(component) == {pipeline.commit: image["digest"]}
        assert f"{component} {image['digest']} pushed" in " ".join(run.output.split())


def test_rebuilding_the_commit_in_an_empty_storage_gives_the_same_digests_and_pushes_nothing(pipeline, built, tmp_path):
    before = pipeline.build_output.stat().st_mtime_ns
    run = pipeline.build(storage=tmp_path / "fresh-storage")
    assert run.rc == 0, run.output[-3000:]
    assert run.changed("dev") == 0, run.output[-3000:]
    assert (tmp_path / "fresh-storage" / "root").is_dir(), "the rebuild used the fresh storage"
    assert json.loads(pipeline.build_output.read_text()) == built
    assert pipeline.build_output.stat().st_mtime_ns == before
    assert " ".join(run.output.split()).count(" unchanged") == len(COMPONENTS)
    assert pipeline.all_images() == {c: {pipeline.commit: built["images"][c]["digest"]} for c in COMPONENTS}


def tool(*args: str) -> str:
    # stdin from /dev/null: buildah run makes the stdin it is given non-blocking, and ansible-playbook
    # (the later tests' runs share this process's stdin) refuses to start on one.
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=True).stdout


def test_the_pushed_auth_image_runs_and_answers_its_health_path(pipeline, built, tmp_path):
    """Pull auth-api by digest from the registry and run it (buildah, chroot isolation: no OCI runtime here)."""
    registry, pulled = pipeline.registry, f"oci:{tmp_path / 'pulled'}"
    source = f"docker://{registry.endpoint}/{pipeline.repository('auth-api')}@{built['images']['auth-api']['digest']}"
    tool(
        "skopeo",
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--src-creds",
        f"AWS:{registry.password()}",
        source,
        pulled,
    )
    buildah = ["buildah", "--storage-driver", "vfs", "--root", str(tmp_path / "r"), "--runroot", str(tmp_path / "rr")]
    container = tool(*buildah, "from", "--quiet", pulled).strip()
    entrypoint = json.loads(tool(*buildah, "inspect", container))["OCIv1"]["config"]["Entrypoint"]
    port = _free_port()
    # The image's own ENTRYPOINT, with PORT bound to loopback (chroot isolation shares the host's network).
    command = [*buildah, "run", "--isolation", "chroot", "--env", f"PORT=127.0.0.1:{port}", container, "--"]
    server = subprocess.Popen(
        [*command, *entrypoint], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth", timeout=2) as response:
                    assert response.status == 200
                    assert json.loads(response.read()) == {"service": "auth-api", "status": "ok"}
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the container did not answer"
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
        tool(*buildah, "rm", container)


def test_uncommitted_changes_are_refused_before_anything_is_built(pipeline, built):
    auth = pipeline.source / "examples" / "backend" / "auth" / "www" / "auth"
    auth.write_text('{"service":"auth-api","status":"changed"}\n')
    try:
        run = pipeline.build()
    finally:
        pipeline.git("checkout", "--", ".")
    assert run.rc != 0
    assert "not committed" in run.output and "allow_dirty=true" in run.output
    assert "examples/backend/auth/www/auth" in run.output
    assert pipeline.all_images() == {c: {pipeline.commit: built["images"][c]["digest"]} for c in COMPONENTS}


def test_other_bytes_under_a_commit_already_pushed_fail_with_ecrs_message(pipeline, built):
    auth = pipeline.source / "examples" / "backend" / "auth" / "www" / "auth"
    auth.write_text('{"service":"auth-api","status":"changed"}\n')
    try:
        run = pipeline.build("-e", f"commit={pipeline.commit}", "-e", "allow_dirty=true", "-e", "components=auth-api")
    finally:
        pipeline.git("checkout", "--", ".")
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert (
        f"ImageTagAlreadyExistsException: The image tag '{pipeline.commit}' already exists in the "
        f"'{pipeline.repository('auth-api')}' repository and cannot be overwritten because the repository is immutable."
    ) in output
    assert "build a new commit" in output and "batch-delete-image" in output
    assert pipeline.images("auth-api") == {pipeline.commit: built["images"]["auth-api"]["digest"]}


def test_a_failing_dockerfile_fails_the_build_and_pushes_nothing(pipeline, built):
    dockerfile = pipeline.source / "examples" / "backend" / "users" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + 'RUN ["/bin/sh", "-c", "echo no such tool >&2; exit 3"]\n')
    pipeline.git("commit", "-q", "-am", "break the users build")
    broken = pipeline.git("rev-parse", "HEAD")
    try:
        run = pipeline.build("-e", "components=users-api")
    finally:
        pipeline.git("reset", "-q", "--hard", pipeline.commit)
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert "with buildah failed" in output and "nothing was pushed" in output
    assert "no such tool" in output, "the builder's own output is shown"
    assert broken not in pipeline.images("users-api")
    assert pipeline.all_images() == {c: {pipeline.commit: built["images"][c]["digest"]} for c in COMPONENTS}


def test_a_missing_repository_fails_naming_the_fix(pipeline, built):
    missing = f"missing{uuid.uuid4().hex[:6]}"
    run = pipeline.build("-e", f"platform_ecr_namespace={missing}", "-e", "components=auth-api")
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert f"RepositoryNotFoundException: The repository with name '{missing}/auth-api' does not exist" in output
    assert "site.yml" in output and "platform_components" in output
    repositories = pipeline.registry.ecr().describe_repositories()["repositories"]
    assert not [r for r in repositories if r["repositoryName"].startswith(missing)]
    assert pipeline.all_images() == {c: {pipeline.commit: built["images"][c]["digest"]} for c in COMPONENTS}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("-e", "components=auth-api,billing"), "components: billing not in platform_components", id="component"
        ),
        pytest.param(("-e", "commit=abc123"), "commit: abc123 is not a full git commit SHA", id="short-commit"),
        pytest.param(
            ("-e", "commit=" + "0" * 40), "check that commit out, or pass -e allow_dirty=true", id="other-commit"
        ),
        pytest.param(
            ("-e", "platform_image_builder=kaniko"), "platform_image_builder: kaniko is not a builder", id="builder"
        ),
        pytest.param(("NOT_A_CHECKOUT",), "is not a git checkout", id="not-a-checkout"),
    ],
)
def test_bad_inputs_fail_before_anything_is_built(pipeline, built, tmp_path, args, message):
    if args == ("NOT_A_CHECKOUT",):
        shutil.copytree(pipeline.source / "examples", tmp_path / "examples")
        args = ("-e", f"source_dir={tmp_path}")
    run = pipeline.build(*args)
    assert run.rc != 0
    assert message in " ".join(run.output.split())
    assert pipeline.all_images() == {c: {pipeline.commit: built["images"][c]["digest"]} for c in COMPONENTS}


def release_tags(pipeline, version):
    return {component: pipeline.images(component).get(version) for component in COMPONENTS}


def test_release_pins_the_commits_digests_and_tags_them(pipeline, built):
    manifest = pipeline.releases / "1.2.0.yml"
    check = pipeline.release("1.2.0", "-e", f"build_output={pipeline.build_output}", "--check")
    assert check.rc == 0, check.output[-3000:]
    assert check.changed("dev") > 0
    assert not manifest.exists()
    assert release_tags(pipeline, "1.2.0") == {component: None for component in COMPONENTS}

    run = pipeline.release("1.2.0", "-e", f"build_output={pipeline.build_output}")
    assert run.rc == 0, run.output[-3000:]
    written = yaml.safe_load(manifest.read_text())
    repositories = {
        key: built["images"][component]["repository"]
        for key, component in (("authApi", "auth-api"), ("usersApi", "users-api"))
    }
    digests = {
        key: built["images"][component]["digest"]
        for key, component in (("authApi", "auth-api"), ("usersApi", "users-api"))
    }
    assert written["version"] == "1.2.0"
    assert written["chart"] == {"version": CHART_VERSION}
    assert written["source"] == {"commit": pipeline.commit}
    for key in ("authApi", "usersApi"):
        assert written["images"][key] == {"repository": repositories[key], "digest": digests[key]}
    assert written["images"]["redis"] == {"repository": "public.ecr.aws/docker/library/redis", "tag": "7.4.2-alpine"}
    # The manifest is committed to releases/, which `make lint` checks.
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "yamllint"), "--strict", "-c", str(REPO_ROOT / ".yamllint"), str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    # What deploy.yml does with it (playbooks/tasks/api_manifest.yml).
    values = release_values(written, version="1.2.0", chart_version=CHART_VERSION)
    assert values["authApi"]["image"]["digest"] == digests["authApi"]
    assert release_tags(pipeline, "1.2.0") == {c: built["images"][c]["digest"] for c in COMPONENTS}
    assert {c: pipeline.images(c)[pipeline.commit] for c in COMPONENTS} == {
        c: built["images"][c]["digest"] for c in COMPONENTS
    }

    # A rerun changes nothing, and keeps what a human added to the manifest.
    manifest.write_text(manifest.read_text() + "notes: Users list behind auth.\n")
    before = manifest.stat().st_mtime_ns
    rerun = pipeline.release("1.2.0", "-e", f"commit={pipeline.commit}")
    assert rerun.rc == 0, rerun.output[-3000:]
    assert rerun.changed("dev") == 0
    assert manifest.stat().st_mtime_ns == before
    assert yaml.safe_load(manifest.read_text())["notes"] == "Users list behind auth."


def test_release_of_a_commit_never_built_is_refused(pipeline, built):
    never = "f" * 40
    run = pipeline.release("1.3.0", "-e", f"commit={never}")
    assert run.rc != 0
    output = " ".join(run.output.split())
    for component in COMPONENTS:
        assert f"component {component} has no image for commit {never} in" in output
    assert "run playbooks/build.yml for that commit" in output
    assert not (pipeline.releases / "1.3.0.yml").exists()
    assert release_tags(pipeline, "1.3.0") == {component: None for component in COMPONENTS}


def test_a_version_whose_manifest_names_other_images_is_refused(pipeline, built):
    manifest = pipeline.releases / "1.4.0.yml"
    other = yaml.safe_load((REPO_ROOT / "releases" / "1.1.0.yml").read_text())
    manifest.write_text(yaml.safe_dump(dict(other, version="1.4.0")))
    before = manifest.read_text()
    run = pipeline.release("1.4.0", "-e", f"commit={pipeline.commit}")
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert "1.4.0.yml exists with other content" in output and "cut a new version" in output
    assert manifest.read_text() == before
    assert release_tags(pipeline, "1.4.0") == {component: None for component in COMPONENTS}


def test_a_version_already_cut_from_another_commit_is_refused_by_ecr(pipeline, built):
    auth = pipeline.source / "examples" / "backend" / "auth" / "www" / "auth"
    auth.write_text('{"service":"auth-api","status":"ok","version":2}\n')
    pipeline.git("commit", "-q", "-am", "auth says its version")
    second = pipeline.git("rev-parse", "HEAD")
    output_file = pipeline.work / "second.json"
    try:
        build = pipeline.build("-e", f"build_output={output_file}", "-e", "components=auth-api")
        assert build.rc == 0, build.output[-3000:]
    finally:
        pipeline.git("reset", "-q", "--hard", pipeline.commit)
    assert json.loads(output_file.read_text())["images"]["auth-api"]["digest"] != built["images"]["auth-api"]["digest"]

    manifest = pipeline.releases / "1.2.0.yml"
    before = manifest.read_text()
    run = pipeline.release("1.2.0", "-e", f"commit={second}")
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert f"The image tag '1.2.0' already exists in the '{pipeline.repository('auth-api')}' repository" in output
    assert manifest.read_text() == before
    assert release_tags(pipeline, "1.2.0") == {c: built["images"][c]["digest"] for c in COMPONENTS}


def test_a_build_output_naming_digests_ecr_lacks_is_refused(pipeline, built):
    forged = json.loads(json.dumps(built))
    forged["images"]["users-api"]["digest"] = "sha256:" + "0" * 64
    forged_file = pipeline.work / "forged.json"
    forged_file.write_text(json.dumps(forged))
    run = pipeline.release("1.5.0", "-e", f"build_output={forged_file}")
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert f"users-api@sha256:{'0' * 64}" in output and "names images ECR does not have" in output
    assert not (pipeline.releases / "1.5.0.yml").exists()
    assert release_tags(pipeline, "1.5.0") == {component: None for component in COMPONENTS}


def test_ecr_image_adds_a_tag_by_digest_with_check_and_diff_modes(pipeline, built):
    repository, digest = pipeline.repository("users-api"), built["images"]["users-api"]["digest"]
    tag = {"repository": repository, "digest": digest, "tag": "candidate"}
    check, apply, again, unknown, malformed = run_steps(
        pipeline.registry.emulator,
        [
            Step("teamf.platform.ecr_image", tag, check=True, diff=True),
            Step("teamf.platform.ecr_image", tag, diff=True),
            Step("teamf.platform.ecr_image", tag),
            Step("teamf.platform.ecr_image", dict(tag, digest="sha256:" + "1" * 64)),
            Step("teamf.platform.ecr_image", dict(tag, tag="not a tag")),
        ],
    )
    assert check["changed"] and not check["pushed"]
    assert check["diff"] == {"before": {"digest": ""}, "after": {"digest": digest}}
    assert apply["changed"] and apply["pushed"] and apply["digest"] == digest
    assert apply["repository"] == built["images"]["users-api"]["repository"]
    assert not again["changed"]
    assert pipeline.images("users-api")["candidate"] == digest
    assert unknown["failed"] and f"digest: {repository} has no image sha256:{'1' * 64}" in unknown["msg"]
    assert malformed["failed"] and "tag: 'not a tag' is not an ECR image tag" in malformed["msg"]
