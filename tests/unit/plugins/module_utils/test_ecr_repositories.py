"""ecr_repositories: the name validation, the per-repository plan and the views of ecr_repositories."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ecr_repositories import (
    after_view,
    plan,
    predicted_identity,
    step_changes,
    validation_errors,
)

POLICY = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countNumber": 14}}]}
WANT = dict(
    image_tag_mutability="IMMUTABLE",
    scan_on_push=True,
    lifecycle_policy=POLICY,
    tags={"ManagedBy": "t"},
    purge_tags=True,
)
CURRENT = dict(
    repository={
        "repositoryName": "teamf/api",
        "repositoryArn": "arn:aws:ecr:ap-northeast-2:123456789012:repository/teamf/api",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
    },
    lifecycle_policy=POLICY,
    tags={"ManagedBy": "t"},
)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["teamf/auth-api", "teamf/users-api", "redis"], []),
        (["teamf/Auth"], ["repositories[0]='teamf/Auth' is not an ECR repository name"]),
        (["teamf//api"], ["repositories[0]='teamf//api' is not an ECR repository name"]),
        (["a"], ["repositories[0]='a' is not an ECR repository name"]),
        (["teamf/api-"], ["repositories[0]='teamf/api-' is not an ECR repository name"]),
        (["x/api", "y/api", "x/api"], ["repositories[2]=x/api is listed again (first as repositories[0])"]),
    ],
    ids=["valid", "uppercase", "empty-part", "too-short", "trailing-dash", "duplicate"],
)
def test_validation_names_the_entry(names, expected):
    errors = validation_errors(names)
    assert [e.split(":")[0] if "is not" in e else e for e in errors] == expected


def changes(current, **want):
    step = plan("teamf/api", current, dict(WANT, **want))
    return {k: v for k, v in step.items() if k not in ("name",) and v not in (None, {}, [], False)}


@pytest.mark.parametrize(
    ("current", "want", "expected"),
    [
        (None, {}, {"create": True, "lifecycle_policy": POLICY}),
        (None, {"lifecycle_policy": None}, {"create": True}),
        (CURRENT, {}, {}),
        (CURRENT, {"image_tag_mutability": "MUTABLE"}, {"mutability": "MUTABLE"}),
        (CURRENT, {"lifecycle_policy": {"rules": []}}, {"lifecycle_policy": {"rules": []}}),
        (CURRENT, {"lifecycle_policy": None}, {}),
        (CURRENT, {"tags": {"ManagedBy": "t", "Team": "web"}}, {"tags_to_set": {"Team": "web"}}),
        (CURRENT, {"tags": {}}, {"tags_to_unset": ["ManagedBy"]}),
        (CURRENT, {"tags": {}, "purge_tags": False}, {}),
        (CURRENT, {"tags": None}, {}),
    ],
    ids=[
        "missing",
        "missing-no-policy",
        "converged",
        "mutability",
        "policy",
        "policy-left-alone",
        "tag-added",
        "tags-purged",
        "tags-kept",
        "tags-left-alone",
    ],
)
def test_plan_makes_only_the_calls_that_differ(current, want, expected):
    assert changes(current, **want) == expected


def test_scan_on_push_turned_off_is_a_change():
    step = plan("teamf/api", CURRENT, dict(WANT, scan_on_push=False))
    assert step["scan_on_push"] is False
    assert step_changes(step) is True
    assert step_changes(plan("teamf/api", CURRENT, WANT)) is False


def test_a_policy_read_back_with_the_same_numbers_is_no_change():
    # ECR hands the policy back as the JSON text it was given; the module compares parsed documents.
    read_back = {"rules": [{"selection": {"countNumber": 14, "tagStatus": "untagged"}, "rulePriority": 1}]}
    assert step_changes(plan("teamf/api", dict(CURRENT, lifecycle_policy=read_back), WANT)) is False


def test_after_view_is_what_the_repository_will_be():
    step = plan("teamf/api", CURRENT, dict(WANT, image_tag_mutability="MUTABLE", tags={"Team": "web"}))
    assert after_view(step, CURRENT, WANT) == {
        "image_tag_mutability": "MUTABLE",
        "scan_on_push": True,
        "lifecycle_policy": POLICY,
        "tags": {"Team": "web"},
    }
    created = plan("teamf/api", None, WANT)
    assert after_view(created, None, WANT)["tags"] == {"ManagedBy": "t"}


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (
            "arn:aws:iam::123456789012:user/ci",
            (
                "arn:aws:ecr:ap-northeast-2:123456789012:repository/teamf/api",
                "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/api",
            ),
        ),
        (
            "arn:aws-cn:sts::210987654321:assumed-role/deploy/s",
            (
                "arn:aws-cn:ecr:ap-northeast-2:210987654321:repository/teamf/api",
                "210987654321.dkr.ecr.ap-northeast-2.amazonaws.com.cn/teamf/api",
            ),
        ),
    ],
    ids=["aws", "aws-cn"],
)
def test_predicted_identity(caller, expected):
    assert predicted_identity("teamf/api", caller, "ap-northeast-2") == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, []),
        ({"rules": []}, ["lifecycle_policy is 13 characters as JSON: ECR takes 100 to 30720"]),
        (
            {"rules": [{"description": "x" * 30720}]},
            ["lifecycle_policy is 30752 characters as JSON: ECR takes 100 to 30720"],
        ),
    ],
    ids=["none", "too-short", "too-long"],
)
def test_a_policy_ecr_would_refuse_is_refused_first(policy, expected):
    errors = validation_errors(["teamf/api"], policy)
    assert [e.split(" (")[0] for e in errors] == expected
