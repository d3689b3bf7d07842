"""kms: which key an interrupted run left without its alias may be adopted, and which one first."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.kms import (
    adoptable,
    canonical_alias,
    carries,
    oldest_first,
)

OWNER = {"ManagedBy": "teamf.platform", "eks-cluster": "teamf-staging"}
KEY = {"KeyId": "k-1", "KeyManager": "CUSTOMER", "KeyState": "Enabled"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("teamf-staging-eks-secrets", "alias/teamf-staging-eks-secrets"),
        ("alias/teamf-staging-eks-secrets", "alias/teamf-staging-eks-secrets"),
    ],
    ids=["bare", "prefixed"],
)
def test_canonical_alias(name, expected):
    assert canonical_alias(name) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (dict(OWNER, Project="teamf"), True),
        (OWNER, True),
        ({"ManagedBy": "teamf.platform"}, False),
        (dict(OWNER, **{"eks-cluster": "teamf-prod"}), False),
        ({}, False),
    ],
    ids=["extra-tags-ignored", "exact", "tag-missing", "other-cluster", "untagged"],
)
def test_carries_every_wanted_tag(tags, expected):
    assert carries(tags, OWNER) is expected


@pytest.mark.parametrize(
    ("metadata", "tags", "aliased", "expected"),
    [
        (KEY, OWNER, set(), True),
        (KEY, OWNER, {"k-1"}, False),
        (dict(KEY, KeyState="PendingDeletion"), OWNER, set(), False),
        (dict(KEY, KeyState="Disabled"), OWNER, set(), False),
        (dict(KEY, KeyManager="AWS"), OWNER, set(), False),
        (KEY, {"ManagedBy": "teamf.platform"}, set(), False),
    ],
    ids=["orphan", "has-an-alias", "pending-deletion", "disabled", "aws-managed", "not-ours"],
)
def test_adoptable(metadata, tags, aliased, expected):
    assert adoptable(metadata, tags, aliased, OWNER) is expected


def test_oldest_first_then_by_arn():
    keys = [
        {"key_arn": "arn:b", "creation_date": "2026-01-02T00:00:00+00:00"},
        {"key_arn": "arn:c", "creation_date": "2026-01-01T00:00:00+00:00"},
        {"key_arn": "arn:a", "creation_date": "2026-01-02T00:00:00+00:00"},
    ]
    assert [key["key_arn"] for key in oldest_first(keys)] == ["arn:c", "arn:a", "arn:b"]
