"""ecr_image: when a tag must move, and ECR's refusal when it cannot."""

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.ecr_image import (
    ECRImageConflict,
    plan_push,
    registry_host,
)

OLD, NEW = "sha256:" + "a" * 64, "sha256:" + "b" * 64


@pytest.mark.parametrize(
    ("mutability", "current", "wanted", "push"),
    [
        pytest.param("IMMUTABLE", "", NEW, True, id="new-tag"),
        pytest.param("IMMUTABLE", NEW, NEW, False, id="same-bytes"),
        pytest.param("MUTABLE", NEW, NEW, False, id="same-bytes-mutable"),
        pytest.param("MUTABLE", OLD, NEW, True, id="mutable-moves"),
    ],
)
def test_plan(mutability, current, wanted, push):
    assert plan_push("teamf/auth-api", mutability, "abc", current, wanted) is push


def test_other_bytes_under_an_immutable_tag_fail_with_ecrs_message_and_the_fix():
    with pytest.raises(ECRImageConflict) as error:
        plan_push("teamf/auth-api", "IMMUTABLE", "abc", OLD, NEW)
    message = str(error.value)
    assert message.startswith(
        "ImageTagAlreadyExistsException: The image tag 'abc' already exists in the 'teamf/auth-api' repository "
        "and cannot be overwritten because the repository is immutable."
    )
    assert OLD in message and NEW in message
    assert "build a new commit" in message and "batch-delete-image" in message


@pytest.mark.parametrize(
    ("uri", "host"),
    [
        (
            "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api",
            "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com",
        ),
        ("localhost:5000/x", "localhost:5000"),
    ],
)
def test_registry_host(uri, host):
    assert registry_host(uri) == host
