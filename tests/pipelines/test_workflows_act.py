"""The GitHub workflows, run by act on this machine against private emulators.

dev.yml (push to main), release.yml (push of a tag v1.2.0) and promote.yml (dispatch) run with act in
self-hosted mode (steps on the host, no Docker) in a throw-away git repository made from the working
tree, so neither the checkout's git state nor its releases/ change. The workflows point at
inventories/local through the repository variable TEAMF_INVENTORY, and the inventory at this module's
AWS emulator, registry stand-in and two Kubernetes stand-ins (staging, prod) through the environment.
Steps that need GitHub's cloud (OIDC credentials, setup-python) are skipped under act; act finds each
pinned action in tests/pipelines/fake-actions/, which fails the job if it ever runs.

The throw-away repository is its own `origin` and accepts pushes into its checked-out branch
(receive.denyCurrentBranch=updateInstead): the release job's push of releases/1.2.0.yml lands in the
working tree act copies for the next job's checkout, as GitHub's checkout of the release commit would.

The tests are one story and run in order: dev builds and runs the commit's digests, the tag releases
them to staging, promotion moves them to prod, a broken Dockerfile fails the pipeline before anything
is pushed, and an ECS rollback fails the deploy job's make target with the service events.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
import yaml

from emulator.kube.launcher import KubeEmulator
from emulator.registry.launcher import RegistryEmulator
from tests.conftest import REGION, REPO_ROOT, _free_port
from tests.integration.conftest import run_playbook

BIN = Path(sys.executable).parent
FAKE_ACTIONS = Path(__file__).resolve().parent / "fake-actions"
VERSION = "1.2.0"
COMPONENTS = {"auth-api": "authApi", "users-api": "usersApi"}  # ECR repository teamf/<name>: chart key
DEV_SERVICES = {"auth-server": "auth-api", "api-server": "users-api"}
NAMESPACE = "teamf"
ACT_TIMEOUT_S = 600
FAILING_DIGEST = "sha256:" + "0" * 64


def run(*args: str, cwd: Path, env: dict | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}: {proc.stderr}"
    return proc.stdout.strip()


def remote_actions() -> dict[str, str]:
    """owner/name@sha of every remote action the workflows use, but actions/checkout (act copies the tree)."""
    found = set()
    for workflow in (REPO_ROOT / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            found.update(step["uses"] for step in job.get("steps", []) if "uses" in step)
    return {
        uses: uses.split("@")[0].split("/")[1] for uses in sorted(found) if not uses.startswith("actions/checkout@")
    }


def copy_working_tree(dest: Path) -> None:
    """The files git would see in the checkout (tracked and untracked, not ignored), links kept as links."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO_ROOT)
    for name in sorted(set(listed.split("\0")) - {""}):
        source, target = REPO_ROOT / name, dest / name
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the working tree, not yet in git
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)


@dataclass
class ActRun:
    rc: int
    output: str

    def outputs(self, name: str) -> list[str]:
        """Values a step set for ``name`` in $GITHUB_OUTPUT, in order."""
        return re.findall(rf"::set-output:: {re.escape(name)}=(.*)", self.output)


@dataclass
class Pipeline:
    src: Path
    home: Path
    env: dict[str, str]
    emulator: object
    registry: RegistryEmulator
    clusters: dict[str, KubeEmulator]
    smoke_url: str
    runs: dict[str, ActRun] = field(default_factory=dict)

    def git(self, *args: str) -> str:
        return run("git", *args, cwd=self.src)

    def act(self, label: str, event: str, workflow: str, payload: dict, *args: str) -> ActRun:
        event_file = self.home / f"{label}.event.json"
        repository = {"full_name": "teamf/platform", "name": "platform", "default_branch": "main"}
        event_file.write_text(json.dumps({"repository": repository, **payload}))
        command = [
            str(BIN / "act"),
            event,
            "--workflows",
            f".github/workflows/{workflow}",
            "--eventpath",
            str(event_file),
            "--platform",
            "ubuntu-24.04=-self-hosted",
            "--var",
            "TEAMF_INVENTORY=inventories/local",
            *(f"--local-repository={uses}={FAKE_ACTIONS / name}" for uses, name in remote_actions().items()),
            *args,
        ]
        for name in remote_actions().values():
            assert (FAKE_ACTIONS / name / "action.yml").is_file(), (
                f"no never-runs stand-in for {name} in {FAKE_ACTIONS}"
            )
        proc = subprocess.run(
            command,
            cwd=self.src,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=ACT_TIMEOUT_S,
            check=False,
        )
        result = ActRun(proc.returncode, proc.stdout + proc.stderr)
        (self.home / f"{label}.log").write_text(result.output)
        self.runs[label] = result
        assert "ran under act" not in result.output, result.output[-4000:]  # a stand-in action ran
        return result

    def aws(self, service: str):
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        return session.client(service, endpoint_url=self.emulator.url)

    def ecr_digest(self, component: str, tag: str) -> str | None:
        ecr = self.aws("ecr")
        try:
            images = ecr.describe_images(repositoryName=f"teamf/{component}", imageIds=[{"imageTag": tag}])[
                "imageDetails"
            ]
        except ecr.exceptions.ImageNotFoundException:
            return None
        return images[0]["imageDigest"]

    def image_file(self, component: str, digest: str, path: str) -> bytes:
        """A file of the image ``component@digest`` as the registry serves it (pulled with skopeo)."""
        token = self.aws("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
        target = self.home / "pulled" / digest.split(":")[1]
        target.parent.mkdir(exist_ok=True)
        source = f"docker://{self.registry.endpoint}/teamf/{component}@{digest}"
        creds = base64.b64decode(token).decode()
        run(
            "skopeo",
            "--insecure-policy",
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            "--src-creds",
            creds,
            source,
            f"dir:{target}",
            cwd=self.home,
            env=self.env,
        )
        for layer in json.loads((target / "manifest.json").read_text())["layers"]:
            with tarfile.open(target / layer["digest"].split(":")[1]) as tar:
                member = next((m for m in tar.getmembers() if m.name.lstrip("./") == path), None)
                if member is not None:
                    return tar.extractfile(member).read()
        raise AssertionError(f"{path} is in no layer of {component}@{digest}")

    def dev_images(self) -> dict[str, str]:
        """The image of each deployable dev service's running task definition."""
        ecs = self.aws("ecs")
        services = ecs.describe_services(cluster="teamf-dev", services=list(DEV_SERVICES))["services"]
        return {
            s["serviceName"]: ecs.describe_task_definition(taskDefinition=s["taskDefinition"])["taskDefinition"][
                "containerDefinitions"
            ][0]["image"]
            for s in services
        }

    def kube(self, env: str, tool: str, *args: str) -> str:
        flag = "--kube-apiserver" if tool == "helm" else "--server"
        return run(str(BIN / tool), flag, self.clusters[env].url, *args, cwd=self.home, env=self.env)

    def helm_values(self, env: str) -> dict:
        return json.loads(self.kube(env, "helm", "get", "values", "api", "-n", NAMESPACE, "-o", "json"))

    def deployment_images(self, env: str) -> set[str]:
        deployments = json.loads(self.kube(env, "kubectl", "get", "deployments", "-n", NAMESPACE, "-o", "json"))
        return {c["image"] for d in deployments["items"] for c in d["spec"]["template"]["spec"]["containers"]}


def start_http_server(root: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """busybox httpd serving ``root`` on a free port: what the smoke check's GET reaches here."""
    port = _free_port()
    server = subprocess.Popen(
        ["busybox", "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", str(root)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def pipeline(emulator_factory, tmp_path_factory):
    """The emulators, dev converged into the AWS one, and a throw-away repository to run act in."""
    home = tmp_path_factory.mktemp("act-home")
    registry_port = _free_port()
    emu = emulator_factory(
        isolation="pipelines",
        TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS="1",
        TEAMF_EMULATOR_REGISTRY_URL=f"http://127.0.0.1:{registry_port}",
        # Deployments of this image never get healthy tasks: the ECS circuit breaker rolls them back.
        TEAMF_EMULATOR_ECS_FAIL_IMAGE_PATTERN=FAILING_DIGEST + "$",
    )
    registry = RegistryEmulator(
        port=registry_port, state_dir=tmp_path_factory.mktemp("act-registry"), ecr_endpoint=emu.url
    )
    clusters = {
        env: KubeEmulator(port=_free_port(), state_dir=tmp_path_factory.mktemp(f"act-kube-{env}"), ready_delay=0.2)
        for env in ("staging", "prod")
    }
    src = tmp_path_factory.mktemp("act-src")
    copy_working_tree(src)
    http, smoke_url = start_http_server(src / "examples/backend/auth/www", home / "httpd.log")

    inherited = ("TEAMF_", "ANSIBLE_", "AWS_", "MAKE", "MFLAGS", "GIT_")  # the test's own settings, not the caller's
    env = {name: value for name, value in os.environ.items() if not name.startswith(inherited)}
    env.update(
        HOME=str(home),
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        TEAMF_TEST_ENDPOINT=emu.url,
        TEAMF_TEST_REGISTRY_ENDPOINT=registry.endpoint,
        TEAMF_TEST_SMOKE_BASE_URL=smoke_url,
        TEAMF_SECRETS_DIR=str(home / "secrets"),
        TEAMF_BUILD_STORAGE=str(home / "buildah"),
        KUBECONFIG=str(home / "no-kubeconfig"),
        ANSIBLE_NOCOLOR="1",
        # The linked .venv is the checkout's, installed. act copies the working tree for every job, so
        # requirements*.txt are newer than the venv's stamp there and `make setup` would reinstall into
        # the shared venv: an empty STAMP (a command-line variable, through MAKEFLAGS) leaves it alone.
        MAKEFLAGS="STAMP=",
    )
    started = []
    try:
        registry.start()
        started.append(registry)
        for env_name, cluster in clusters.items():
            cluster.start()
            started.append(cluster)
            env[f"TEAMF_TEST_KUBE_ENDPOINT_{env_name.upper()}"] = cluster.url

        for name in ("AUTHOR", "COMMITTER"):
            env.update({f"GIT_{name}_NAME": "dev", f"GIT_{name}_EMAIL": "dev@teamf.invalid"})
        for args in (
            ("init", "--quiet", "--initial-branch=main"),
            ("add", "--all"),
            ("commit", "--quiet", "--message", "the working tree under test"),
            ("remote", "add", "origin", str(src)),
            ("config", "receive.denyCurrentBranch", "updateInstead"),
        ):
            run("git", *args, cwd=src, env=env)
        (src / ".venv").symlink_to(REPO_ROOT / ".venv")  # untracked: the checkout's toolchain (see MAKEFLAGS)

        converge = run_playbook(emu, "site.yml", "inventories/local", "--limit", "dev")
        assert converge.rc == 0, converge.output[-3000:]
        yield Pipeline(
            src=src, home=home, env=env, emulator=emu, registry=registry, clusters=clusters, smoke_url=smoke_url
        )
    finally:
        http.terminate()
        http.wait(timeout=10)
        for server in reversed(started):
            server.stop()


def built_images(result: ActRun) -> dict:
    values = result.outputs("images")
    assert values, result.output[-4000:]
    return json.loads(values[-1])


def test_dev_workflow_runs_the_built_digests_on_dev(pipeline):
    commit = pipeline.git("rev-parse", "HEAD")
    result = pipeline.act("dev", "push", "dev.yml", {"ref": "refs/heads/main", "after": commit})
    assert result.rc == 0, result.output[-6000:]

    build = built_images(result)
    assert build["commit"] == commit
    assert set(build["images"]) == set(COMPONENTS)
    for component, image in build["images"].items():
        assert image["digest"].startswith("sha256:")
        assert image["repository"].endswith(f".dkr.ecr.{REGION}.amazonaws.com/teamf/{component}")
        assert pipeline.ecr_digest(component, commit) == image["digest"]
    assert pipeline.dev_images() == {
        service: f"{build['images'][component]['repository']}@{build['images'][component]['digest']}"
        for service, component in DEV_SERVICES.items()
    }
    # The smoke check found the route and healthy targets, and its GET got 200 from the server standing in
    # for the ALB, which answers with the bytes the deployed auth-api digest serves.
    assert "routing: teamf-dev forwards /auth to teamf-dev-auth-server" in result.output
    assert re.search(r"HTTP: GET http://127\.0\.0\.1:\d+/auth answered 200", result.output)
    with urllib.request.urlopen(f"{pipeline.smoke_url}/auth", timeout=5) as answer:
        served = answer.read()
    assert served == pipeline.image_file("auth-api", build["images"]["auth-api"]["digest"], "www/auth")


def test_release_workflow_commits_the_release_and_deploys_it_to_staging(pipeline):
    commit = pipeline.git("rev-parse", "HEAD")
    pipeline.git("tag", f"v{VERSION}")
    result = pipeline.act("release", "push", "release.yml", {"ref": f"refs/tags/v{VERSION}", "after": commit})
    assert result.rc == 0, result.output[-6000:]

    # The images dev runs are the release's: rebuilt to the same digests, nothing pushed again.
    digests = {component: image["digest"] for component, image in built_images(result)["images"].items()}
    assert digests == {component: pipeline.ecr_digest(component, commit) for component in COMPONENTS}
    assert {component: pipeline.ecr_digest(component, VERSION) for component in COMPONENTS} == digests

    # The release file is committed onto main, on top of the tagged commit; the checkout's releases/ is untouched.
    assert pipeline.git("log", "-1", "--format=%s", "main") == f"release {VERSION}"
    assert pipeline.git("rev-parse", "main~1") == commit
    assert result.outputs("commit")[-1] == pipeline.git("rev-parse", "main")
    manifest = yaml.safe_load(pipeline.git("show", f"main:releases/{VERSION}.yml"))
    assert manifest["source"]["commit"] == commit
    assert {key: manifest["images"][key]["digest"] for key in COMPONENTS.values()} == {
        COMPONENTS[component]: digest for component, digest in digests.items()
    }
    assert not (REPO_ROOT / "releases" / f"{VERSION}.yml").exists()

    values = pipeline.helm_values("staging")
    assert values["release"] == VERSION
    assert {key: values[key]["image"]["digest"] for key in COMPONENTS.values()} == {
        COMPONENTS[component]: digest for component, digest in digests.items()
    }
    images = pipeline.deployment_images("staging")
    assert all(any(image.endswith(f"@{digest}") for image in images) for digest in digests.values()), images
    assert "Success - Main Verify that staging runs it, every workload ready" in result.output


def test_promote_workflow_moves_the_release_to_prod(pipeline):
    result = pipeline.act(
        "promote",
        "workflow_dispatch",
        "promote.yml",
        {"ref": "refs/heads/main", "inputs": {"release": VERSION}},
        "--input",
        f"release={VERSION}",
    )
    assert result.rc == 0, result.output[-6000:]
    staging, prod = pipeline.helm_values("staging"), pipeline.helm_values("prod")
    assert prod["release"] == VERSION
    for key in COMPONENTS.values():
        assert prod[key]["image"] == staging[key]["image"]
    assert pipeline.deployment_images("prod") == pipeline.deployment_images("staging")


def test_a_failing_build_fails_the_dev_workflow_and_pushes_nothing(pipeline):
    before = pipeline.dev_images()
    dockerfile = pipeline.src / "examples/backend/auth/Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + 'RUN ["/bin/busybox", "false"]\n')
    pipeline.git("commit", "--quiet", "--all", "--message", "auth-api: a build step that fails")
    commit = pipeline.git("rev-parse", "HEAD")

    result = pipeline.act("dev-broken", "push", "dev.yml", {"ref": "refs/heads/main", "after": commit})
    assert result.rc != 0, result.output[-6000:]
    assert "Failure - Main Build and push the images of this commit" in result.output
    # The reason, as buildah and the build gave it.
    assert 'building at STEP "RUN /bin/busybox false": exit status 1' in result.output
    assert "nothing was pushed" in result.output
    assert "Roll dev onto the built digests" not in result.output  # the deploy job never started
    assert pipeline.ecr_digest("auth-api", commit) is None
    assert pipeline.dev_images() == before


def test_an_ecs_rollback_fails_redeploy_dev_with_the_service_events(pipeline):
    """The deploy job's step, make redeploy-dev, on a build output whose auth-api image never gets healthy."""
    before = pipeline.dev_images()
    build = built_images(pipeline.runs["dev"])
    build["images"]["auth-api"]["digest"] = FAILING_DIGEST
    images = pipeline.src / "build" / "failing-images.json"
    images.parent.mkdir(exist_ok=True)
    images.write_text(json.dumps(build))

    proc = subprocess.run(
        ["make", "redeploy-dev", "INVENTORY=inventories/local", f"IMAGES={images}"],
        cwd=pipeline.src,
        env=pipeline.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    (pipeline.home / "redeploy-rollback.log").write_text(output)
    assert proc.returncode != 0, output[-4000:]
    # ecs_rollout's message, as the play fails with it (the output wraps long lines).
    text = " ".join(output.split())
    assert re.search(
        r"auth-server \(teamf-dev\): teamf-dev-auth-server:\d+ failed: [^;]+; rolled back to teamf-dev-auth-server:\d+",
        text,
    ), output[-4000:]
    assert re.search(r"make: \*\*\* \[mk/pipelines\.mk:\d+: redeploy-dev\] Error 2", output)
    assert pipeline.dev_images() == before
