"""teamf.platform.ecr_repositories through ansible-playbook against the emulator.

One scenario: check mode on an empty registry (predicted ARNs and URIs, nothing created) → create →
rerun (changed=0) → check mode on a change (reported, nothing mutated) → settings, policy and tags
changed → absent refused for a repository holding an image → absent with force → absent again,
reading ECR back with boto3 after each step; and bad input failing before any call, naming the field.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from emulator.faults import call_endpoint
from tests.conftest import put_empty_image
from tests.integration.modules import Step, run_steps

MODULE = "teamf.platform.ecr_repositories"
NAMES = ["repos-it/auth-api", "repos-it/users-api"]
UNLISTED = "repos-it/redis"
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images 14 days after their push",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
MUTATING = ("Create", "Put", "Tag", "Untag", "Delete", "Set")


@pytest.fixture
def ecr(aws):
    """ECR client of the session's emulator and a repository the module is not given; all removed afterwards."""
    client = aws("ecr")
    client.create_repository(repositoryName=UNLISTED)
    yield client
    for name in [*NAMES, UNLISTED]:
        with contextlib.suppress(client.exceptions.RepositoryNotFoundException):
            client.delete_repository(repositoryName=name, force=True)


def read(ecr, name):
    """What ECR holds for ``name``: settings, lifecycle policy and tags, or None."""
    try:
        [repository] = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    except ecr.exceptions.RepositoryNotFoundException:
        return None
    try:
        policy = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        policy = None
    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
    return {
        "arn": repository["repositoryArn"],
        "uri": repository["repositoryUri"],
        "mutability": repository["imageTagMutability"],
        "scan_on_push": repository["imageScanningConfiguration"]["scanOnPush"],
        "policy": policy,
        "tags": {t["Key"]: t["Value"] for t in tags},
    }


def mutations(emulator):
    """The mutating ECR calls the emulator answered since the last count (the counters are reset)."""
    counted = call_endpoint(emulator.url, "DELETE")
    return {a: n for a, n in counted["requests"]["by_service"].get("ecr", {}).items() if a.startswith(MUTATING)}


def test_repositories_lifecycle(emulator, ecr):
    present = {
        "repositories": NAMES,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "lifecycle_policy": POLICY,
        "tags": {"ManagedBy": "teamf.platform", "Team": "platform"},
    }
    mutations(emulator)
    predicted, created, rerun = run_steps(
        emulator, [Step(MODULE, present, check=True, diff=True), Step(MODULE, present), Step(MODULE, present)]
    )
    assert predicted["changed"] is True, predicted
    assert predicted["diff"]["before"] == {"repositories": {}}
    assert set(predicted["diff"]["after"]["repositories"]) == set(NAMES)
    found = {name: read(ecr, name) for name in NAMES}
    # Check mode predicted exactly what AWS then assigned, in the order given.
    assert [r["repository_arn"] for r in predicted["repositories"]] == [found[n]["arn"] for n in NAMES]
    assert [r["repository_uri"] for r in predicted["repositories"]] == [found[n]["uri"] for n in NAMES]

    assert created["changed"] is True, created
    for name in NAMES:
        assert found[name]["mutability"] == "IMMUTABLE"
        assert found[name]["scan_on_push"] is True
        assert found[name]["policy"] == POLICY
        assert found[name]["tags"] == present["tags"]
    assert [r["repository_name"] for r in created["repositories"]] == NAMES
    assert created["repositories"][1]["tags"] == present["tags"]
    assert rerun["changed"] is False, rerun
    assert rerun["repositories"] == created["repositories"]
    # Create, put the policy; the check-mode run and the rerun changed nothing.
    assert mutations(emulator) == {"CreateRepository": 2, "PutLifecyclePolicy": 2}

    changed = dict(present, image_tag_mutability="MUTABLE", tags={"ManagedBy": "teamf.platform", "Team": "web"})
    changed["lifecycle_policy"] = json.loads(json.dumps(POLICY).replace("14", "7"))
    check, applied, again = run_steps(
        emulator, [Step(MODULE, changed, check=True, diff=True), Step(MODULE, changed), Step(MODULE, changed)]
    )
    assert check["changed"] is True, check
    before, after = check["diff"]["before"]["repositories"], check["diff"]["after"]["repositories"]
    assert before[NAMES[0]]["image_tag_mutability"] == "IMMUTABLE"
    assert after[NAMES[0]]["image_tag_mutability"] == "MUTABLE"
    assert after[NAMES[0]]["tags"] == changed["tags"]
    assert applied["changed"] is True, applied
    assert again["changed"] is False, again
    for name in NAMES:
        assert read(ecr, name) == dict(
            found[name], mutability="MUTABLE", policy=changed["lifecycle_policy"], tags=changed["tags"]
        )
    assert read(ecr, UNLISTED)["tags"] == {}
    assert mutations(emulator) == {"PutImageTagMutability": 2, "PutLifecyclePolicy": 2, "TagResource": 2}

    put_empty_image(ecr, NAMES[0], "v1")
    absent = {"repositories": [*NAMES, "repos-it/never-made"], "state": "absent"}
    refused, check_absent, removed, removed_again = run_steps(
        emulator,
        [
            Step(MODULE, absent),
            Step(MODULE, dict(absent, force=True), check=True),
            Step(MODULE, dict(absent, force=True)),
            Step(MODULE, dict(absent, force=True)),
        ],
    )
    assert refused["failed"] is True
    assert "repositories[0] repos-it/auth-api" in refused["msg"], refused["msg"]
    assert "RepositoryNotEmptyException" in refused["msg"], refused["msg"]
    # The refused run stopped at its first repository: both are still there to delete.
    assert check_absent["changed"] is True
    assert check_absent["deleted"] == NAMES
    assert removed["changed"] is True, removed
    assert removed_again["changed"] is False, removed_again
    assert [read(ecr, name) for name in NAMES] == [None, None]
    # Only the listed repositories went.
    assert read(ecr, UNLISTED) is not None


def test_bad_input_names_the_entry_and_calls_nothing(emulator, ecr):
    mutations(emulator)
    [bad] = run_steps(
        emulator, [Step(MODULE, {"repositories": ["repos-it/auth-api", "Users_API", "repos-it/auth-api"]})]
    )
    assert bad["failed"] is True
    assert "repositories[1]='Users_API' is not an ECR repository name" in bad["msg"]
    assert "repositories[2]=repos-it/auth-api is listed again (first as repositories[0])" in bad["msg"]
    assert call_endpoint(emulator.url, "GET")["requests"]["by_service"].get("ecr", {}) == {}
