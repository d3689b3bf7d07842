"""teamf.platform.ecr_tag and teamf.platform.ecr_repository_info through ansible-playbook against the emulator.

ecr_tag: check mode → tag → rerun → a tag changed and one purged → a repository that does not exist.
ecr_repository_info: what it reports next to what boto3 reads, an image counted and listed with its tags, missing
names left out.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import put_empty_image
from tests.integration.modules import Step, run_module, run_steps

TAG = "teamf.platform.ecr_tag"
INFO = "teamf.platform.ecr_repository_info"
NAME = "ecr-it/auth-api"
OTHER = "ecr-it/users-api"


@pytest.fixture
def ecr(aws):
    """ECR client of the session's emulator with two fresh repositories; removed afterwards."""
    client = aws("ecr")
    for name in (NAME, OTHER):
        client.create_repository(repositoryName=name, tags=[{"Key": "Old", "Value": "1"}])
    yield client
    for name in (NAME, OTHER):
        client.delete_repository(repositoryName=name, force=True)


def tags(client, name):
    arn = client.describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryArn"]
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(resourceArn=arn)["tags"]}


def test_tags_lifecycle(emulator, ecr):
    wanted = {"repository": NAME, "tags": {"ManagedBy": "teamf.platform", "Team": "platform"}}

    check = run_module(emulator, TAG, wanted, check=True, diff=True)
    assert check["changed"] is True, check
    assert check["diff"] == {"before": {"tags": {"Old": "1"}}, "after": {"tags": wanted["tags"]}}
    assert check["removed_tags"] == ["Old"]
    assert tags(ecr, NAME) == {"Old": "1"}

    applied, rerun = run_steps(emulator, [Step(TAG, wanted), Step(TAG, wanted)])
    assert applied["changed"] is True, applied
    assert tags(ecr, NAME) == wanted["tags"]
    assert applied["tags"] == wanted["tags"]
    assert applied["repository_arn"].endswith(":repository/" + NAME)
    assert rerun["changed"] is False, rerun

    kept = run_module(emulator, TAG, {"repository": NAME, "tags": {"Team": "web"}, "purge_tags": False})
    assert kept["changed"] is True, kept
    assert kept["added_tags"] == {"Team": "web"}
    assert tags(ecr, NAME) == {"ManagedBy": "teamf.platform", "Team": "web"}
    assert tags(ecr, OTHER) == {"Old": "1"}


def test_tagging_a_missing_repository_names_it(emulator, ecr):
    missing = run_module(emulator, TAG, {"repository": "ecr-it/missing", "tags": {"A": "b"}})
    assert missing["failed"] is True
    assert "repository: 'ecr-it/missing' does not exist" in missing["msg"]


def test_info_reports_what_ecr_holds(emulator, ecr):
    put_empty_image(ecr, NAME, "1.0.0")
    ecr.put_lifecycle_policy(
        repositoryName=NAME,
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    named = run_module(emulator, INFO, {"names": [OTHER, "ecr-it/missing", NAME]}, check=True)
    assert named["changed"] is False, named
    assert [r["repository_name"] for r in named["repositories"]] == [OTHER, NAME]
    other, auth = named["repositories"]
    described = ecr.describe_repositories(repositoryNames=[NAME])["repositories"][0]
    assert auth["repository_arn"] == described["repositoryArn"]
    assert auth["repository_uri"] == described["repositoryUri"]
    assert auth["image_tag_mutability"] == described["imageTagMutability"]
    assert auth["image_count"] == 1
    assert auth["lifecycle_policy"]["rules"][0]["selection"]["tagStatus"] == "untagged"
    assert auth["tags"] == {"Old": "1"}
    assert other["image_count"] == 0
    assert other["lifecycle_policy"] is None

    with_images = run_module(emulator, INFO, {"names": [NAME, OTHER], "images": True}, check=True)
    listed = ecr.describe_images(repositoryName=NAME)["imageDetails"]
    assert [(i["digest"], i["tags"]) for i in with_images["repositories"][0]["images"]] == [
        (listed[0]["imageDigest"], ["1.0.0"])
    ]
    assert with_images["repositories"][1]["images"] == []
    assert "images" not in auth

    everything = run_module(emulator, INFO, {})
    names = [r["repository_name"] for r in everything["repositories"]]
    assert names == sorted(names)
    assert {NAME, OTHER} <= set(names)
