"""teamf.platform.kms_key_adopt against the emulator: the key a run left without its alias gets it.

The state a run stopped between CreateKey and CreateAlias leaves is made with boto3 (a tagged key,
no alias); the module then walks check mode → adopt → rerun, and the key that ``amazon.aws.kms_key``
then manages by alias is that key, not a new one.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.modules import Step, run_module, run_steps


@pytest.fixture
def suffix():
    return uuid.uuid4().hex[:8]


def owner(suffix):
    return {"ManagedBy": "teamf.platform", "eks-cluster": f"adopt-{suffix}"}


def create_key(kms, tags):
    tag_list = [{"TagKey": key, "TagValue": value} for key, value in tags.items()]
    return kms.create_key(Description="left by an interrupted run", Tags=tag_list)["KeyMetadata"]


def alias_target(kms, alias):
    [entry] = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias]
    return entry["TargetKeyId"]


def test_adopts_the_oldest_orphan_then_kms_key_manages_it(emulator, aws, suffix):
    kms, tags, alias = aws("kms"), owner(suffix), f"alias/adopt-{suffix}"
    first = create_key(kms, dict(tags, Project="teamf"))
    second = create_key(kms, tags)
    other_cluster = create_key(kms, dict(tags, **{"eks-cluster": f"other-{suffix}"}))
    pending = create_key(kms, tags)
    kms.schedule_key_deletion(KeyId=pending["KeyId"], PendingWindowInDays=7)
    keys_before = len(kms.list_keys()["Keys"])
    adopt = Step("teamf.platform.kms_key_adopt", {"alias": alias, "tags": tags}, diff=True)

    check, applied, rerun = run_steps(
        emulator,
        [
            Step(adopt.module, adopt.args, check=True, diff=True),
            adopt,
            adopt,
        ],
    )

    assert (check["changed"], check["adopted"], check["key_arn"]) == (True, True, first["Arn"]), check
    assert check["unadopted_keys"] == [second["Arn"]]
    assert check["diff"] == {"before": {"key_arn": None}, "after": {"key_arn": first["Arn"]}}
    # The real run reporting changed proves the check-mode run created no alias.
    assert (applied["changed"], applied["adopted"], applied["key_arn"]) == (True, True, first["Arn"]), applied
    assert any(second["Arn"] in warning for warning in applied.get("warnings", [])), applied
    assert (rerun["changed"], rerun["adopted"], rerun["key_arn"]) == (False, False, first["Arn"]), rerun
    assert alias_target(kms, alias) == first["KeyId"]
    assert other_cluster["KeyId"] != alias_target(kms, alias)

    managed = run_module(
        emulator,
        "amazon.aws.kms_key",
        {"alias": alias, "enable_key_rotation": True, "tags": dict(tags, Project="teamf"), "purge_tags": True},
    )
    assert not managed.get("failed"), managed
    assert managed["key_arn"] == first["Arn"]
    assert len(kms.list_keys()["Keys"]) == keys_before


def test_without_an_orphan_nothing_changes(emulator, aws, suffix):
    kms, tags, alias = aws("kms"), owner(suffix), f"alias/adopt-{suffix}"
    create_key(kms, {"ManagedBy": "teamf.platform"})  # not carrying every tag: never adopted

    result = run_module(emulator, "teamf.platform.kms_key_adopt", {"alias": alias, "tags": tags})

    assert (result["changed"], result["adopted"], result["key_arn"]) == (False, False, None), result
    assert alias not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]


def test_an_existing_alias_is_left_alone(emulator, aws, suffix):
    kms, tags, alias = aws("kms"), owner(suffix), f"alias/adopt-{suffix}"
    named = create_key(kms, tags)
    kms.create_alias(AliasName=alias, TargetKeyId=named["KeyId"])
    create_key(kms, tags)  # an orphan, but the alias already names a key

    result = run_module(emulator, "teamf.platform.kms_key_adopt", {"alias": alias, "tags": tags})

    assert (result["changed"], result["adopted"], result["key_arn"]) == (False, False, named["Arn"]), result
    assert alias_target(kms, alias) == named["KeyId"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"alias": "alias/aws/ebs", "tags": {"ManagedBy": "teamf.platform"}}, "alias: 'alias/aws/ebs' must name"),
        ({"alias": "alias/x", "tags": {}}, "tags: at least one tag is needed"),
    ],
    ids=["aws-managed-alias", "no-tags"],
)
def test_refused_input_names_the_option(emulator, args, message):
    result = run_module(emulator, "teamf.platform.kms_key_adopt", args)
    assert result["failed"] and message in result["msg"], result
