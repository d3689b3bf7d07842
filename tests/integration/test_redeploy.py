"""playbooks/redeploy.yml against a private emulator: dev converged once by site.yml, then redeployed.

Each test reads the revisions it starts from, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import boto3
import pytest

from emulator.registry.launcher import RegistryEmulator
from tests.conftest import REGION, REPO_ROOT, _free_port, ansible_env
from tests.integration.conftest import converged_dev, run_playbook

CLUSTER = "teamf-dev"
DEPLOYABLE = ("auth-server", "api-server")
# The platform component (ECR repository teamf/<component>) each dev service runs: platform_components.
COMPONENT = {"auth-server": "auth-api", "api-server": "users-api"}


@pytest.fixture(scope="module")
def dev(emulator_factory):
    return converged_dev(emulator_factory, "redeploy")


@pytest.fixture(scope="module")
def ecs(dev):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client("ecs", endpoint_url=dev.url)


def redeploy(emu, *args, env=None):
    return run_playbook(emu, "playbooks/redeploy.yml", "inventories/local", "--limit", "dev", *args, env=env)


@pytest.fixture(scope="module")
def build(dev, tmp_path_factory):
    """playbooks/build.yml's output for a commit of examples/backend, pushed through a registry stand-in
    bound to dev's emulator into the repositories site.yml made (teamf/<component>)."""
    work = tmp_path_factory.mktemp("redeploy-build")
    registry = RegistryEmulator(port=_free_port(), state_dir=work / "registry", ecr_endpoint=dev.url)
    registry.start()
    source = work / "source"
    shutil.copytree(REPO_ROOT / "examples" / "backend", source / "examples" / "backend")
    git_env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com")
    git_env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "backend"]):
        subprocess.run(["git", "-C", str(source), *args], env=git_env, check=True, capture_output=True)
    env = dict(ansible_env(dev), TEAMF_TEST_REGISTRY_ENDPOINT=registry.endpoint, TEAMF_BUILD_STORAGE=str(work / "s"))
    output = work / "images.json"
    run = run_playbook(
        dev, "playbooks/build.yml", "inventories/local", "-e", f"source_dir={source}", "-e", f"build_output={output}",
        env=env,
    )  # fmt: skip
    registry.stop()
    assert run.rc == 0, run.output[-3000:]
    return output, json.loads(output.read_text())


def running(ecs):
    """family:revision each service runs, after checking it has exactly one (COMPLETED) deployment."""
    services = ecs.describe_services(cluster=CLUSTER, services=[*DEPLOYABLE, "redis"])["services"]
    assert all(len(s["deployments"]) == 1 for s in services), services
    assert {s["deployments"][0]["rolloutState"] for s in services} == {"COMPLETED"}
    return {s["serviceName"]: s["taskDefinition"].rsplit("/", 1)[-1] for s in services}


def image(ecs, task_definition):
    return ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]["containerDefinitions"][0][
        "image"
    ]


def revisions(ecs, service):
    return ecs.list_task_definitions(familyPrefix=f"{CLUSTER}-{service}", status="ACTIVE")["taskDefinitionArns"]


def test_same_tag_twice_registers_once_and_site_keeps_the_tag(dev, ecs):
    before = running(ecs)
    counts = {s: len(revisions(ecs, s)) for s in DEPLOYABLE}

    first = redeploy(dev, "-e", "image_tag=2.0.0")
    assert first.rc == 0, first.output[-3000:]
    assert first.changed("dev") > 0
    after = running(ecs)
    for service in DEPLOYABLE:
        assert after[service] != before[service]
        assert image(ecs, after[service]).endswith(f"/teamf/{COMPONENT[service]}:2.0.0")
        assert len(revisions(ecs, service)) == counts[service] + 1
    assert after["redis"] == before["redis"]  # no repository: never part of a redeploy

    second = redeploy(dev, "-e", "image_tag=2.0.0")
    assert second.rc == 0, second.output[-3000:]
    assert second.changed("dev") == 0
    assert running(ecs) == after
    assert {s: len(revisions(ecs, s)) for s in DEPLOYABLE} == {s: counts[s] + 1 for s in DEPLOYABLE}

    # Converging the environment keeps the redeployed tag instead of going back to the compose file's.
    check = run_playbook(dev, "site.yml", "inventories/local", "--limit", "dev", "--check")
    assert check.rc == 0, check.output[-3000:]
    assert check.changed("dev") == 0


def test_the_build_s_digests_run_on_dev_and_a_rerun_changes_nothing(dev, ecs, build):
    path, output = build
    ecr = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION).client(
        "ecr", endpoint_url=dev.url
    )
    first = redeploy(dev, "-e", f"images_file={path}")
    assert first.rc == 0, first.output[-3000:]
    assert first.changed("dev") > 0
    after = running(ecs)
    for service, component in COMPONENT.items():
        built = output["images"][component]
        assert image(ecs, after[service]) == f"{built['repository']}@{built['digest']}"
        # The digest dev runs is the one ECR holds for the commit.
        [found] = ecr.describe_images(repositoryName=f"teamf/{component}", imageIds=[{"imageTag": output["commit"]}])[
            "imageDetails"
        ]
        assert found["imageDigest"] == built["digest"]

    second = redeploy(dev, "-e", f"images_file={path}")
    assert second.rc == 0, second.output[-3000:]
    assert second.changed("dev") == 0
    assert running(ecs) == after
    # A converge keeps the digests.
    check = run_playbook(dev, "site.yml", "inventories/local", "--limit", "dev", "--check")
    assert check.rc == 0, check.output[-3000:]
    assert check.changed("dev") == 0


def test_a_build_output_that_names_no_such_component_fails_before_any_change(dev, ecs, build, tmp_path):
    _, output = build
    broken = tmp_path / "images.json"
    broken.write_text(json.dumps({"commit": output["commit"], "images": {"billing": output["images"]["auth-api"]}}))
    before = running(ecs)
    run = redeploy(dev, "-e", f"images_file={broken}")
    assert run.rc != 0
    assert "images.billing': not a component in platform_components (auth-api, users-api)" in run.output
    assert running(ecs) == before


def test_services_limits_the_redeploy(dev, ecs):
    before = running(ecs)
    run = redeploy(dev, "-e", "image_tag=2.1.0", "-e", "services=auth-server")
    assert run.rc == 0, run.output[-3000:]
    after = running(ecs)
    assert image(ecs, after["auth-server"]).endswith(":2.1.0")
    assert after["api-server"] == before["api-server"]
    assert after["redis"] == before["redis"]


def test_failing_image_goes_back_to_the_previous_revision_and_fails_with_the_reason(dev, ecs):
    before = running(ecs)
    count = len(revisions(ecs, "api-server"))
    run = redeploy(dev, "-e", "image_tag=fail", "-e", "services=api-server")
    assert run.rc != 0
    assert "api-server" in run.output and "circuit breaker" in run.output
    assert f"rolled back to {before['api-server']}" in run.output
    assert running(ecs) == before
    # The failed revision is deregistered: the next run compares against the one that runs.
    assert len(revisions(ecs, "api-server")) == count


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "pass either -e images_file="),
        (("-e", "image_tag=3.0.0", "-e", "images_file=build/images.json"), "not both"),
        (("-e", "images_file=/nonexistent/images.json"), "images_file /nonexistent/images.json does not exist"),
        (("-e", "image_tag=3.0.0", "-e", "services=auth-server,billing"), "unknown or not deployable billing"),
        (("-e", "image_tag=3.0.0", "-e", "services=redis"), "choose from auth-server, api-server"),
    ],
)
def test_bad_command_lines_fail_before_any_change(dev, ecs, args, message):
    counts = {s: len(revisions(ecs, s)) for s in DEPLOYABLE}
    run = redeploy(dev, *args)
    assert run.rc != 0
    assert message in run.output
    assert {s: len(revisions(ecs, s)) for s in DEPLOYABLE} == counts
