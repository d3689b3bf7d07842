"""emulator.fixes.ec2_launch_template_delete_versions, over HTTP."""

import pytest
from botocore.parsers import ResponseParserError


@pytest.fixture
def ec2(aws, clean_emulator):
    client = aws("ec2")
    client.create_launch_template(LaunchTemplateName="lt-dev", LaunchTemplateData={"ImageId": "ami-1"})
    for image in ("ami-2", "ami-3"):
        client.create_launch_template_version(LaunchTemplateName="lt-dev", LaunchTemplateData={"ImageId": image})
    return client


def numbers(ec2, **kwargs):
    versions = ec2.describe_launch_template_versions(LaunchTemplateName="lt-dev", **kwargs)["LaunchTemplateVersions"]
    return sorted(v["VersionNumber"] for v in versions)


def test_delete_versions(ec2):
    response = ec2.delete_launch_template_versions(LaunchTemplateName="lt-dev", Versions=["2"])
    [deleted] = response["SuccessfullyDeletedLaunchTemplateVersions"]
    assert (deleted["LaunchTemplateName"], deleted["VersionNumber"]) == ("lt-dev", 2)
    assert response["UnsuccessfullyDeletedLaunchTemplateVersions"] == []
    assert numbers(ec2) == [1, 3]
    version_3 = ec2.describe_launch_template_versions(LaunchTemplateName="lt-dev", Versions=["3"])
    assert version_3["LaunchTemplateVersions"][0]["LaunchTemplateData"] == {"ImageId": "ami-3"}
    assert numbers(ec2, MinVersion="2") == [3]


def test_missing_and_default_versions_are_reported_unsuccessful(ec2):
    response = ec2.delete_launch_template_versions(LaunchTemplateName="lt-dev", Versions=["1", "9"])
    assert response["SuccessfullyDeletedLaunchTemplateVersions"] == []
    errors = {
        v["VersionNumber"]: v["ResponseError"]["Code"] for v in response["UnsuccessfullyDeletedLaunchTemplateVersions"]
    }
    assert errors == {1: "unexpectedError", 9: "launchTemplateVersionDoesNotExist"}
    assert numbers(ec2) == [1, 2, 3]


def test_version_numbers_are_not_reused(ec2):
    ec2.delete_launch_template_versions(LaunchTemplateName="lt-dev", Versions=["3"])
    created = ec2.create_launch_template_version(LaunchTemplateName="lt-dev", LaunchTemplateData={"ImageId": "ami-4"})
    assert created["LaunchTemplateVersion"]["VersionNumber"] == 4
    assert numbers(ec2) == [1, 2, 4]
    latest = ec2.describe_launch_template_versions(LaunchTemplateName="lt-dev", Versions=["$Latest"])
    assert latest["LaunchTemplateVersions"][0]["VersionNumber"] == 4


def test_bare_moto_has_no_delete_launch_template_versions(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto implements DeleteLaunchTemplateVersions itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    ec2.create_launch_template(LaunchTemplateName="lt-versions", LaunchTemplateData={"ImageId": "ami-1"})
    ec2.create_launch_template_version(LaunchTemplateName="lt-versions", LaunchTemplateData={"ImageId": "ami-2"})
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        ec2.delete_launch_template_versions(LaunchTemplateName="lt-versions", Versions=["2"])
