"""emulator.fixes.ec2_launch_template_tags, over HTTP."""

import pytest

TAGS = [{"Key": "env", "Value": "dev"}]


@pytest.fixture
def ec2(aws, clean_emulator):
    return aws("ec2")


def version_data(ec2, version="1"):
    return ec2.describe_launch_template_versions(LaunchTemplateName="lt-dev", Versions=[version])[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]


def test_template_tags_stay_out_of_the_version_data(ec2):
    ec2.create_launch_template(
        LaunchTemplateName="lt-dev",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": TAGS}],
    )
    assert version_data(ec2) == {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    template = ec2.describe_launch_templates(LaunchTemplateNames=["lt-dev"])["LaunchTemplates"][0]
    assert template["Tags"] == TAGS


def test_instance_tag_specifications_in_the_data_are_kept(ec2):
    data = {
        "ImageId": "ami-12c6146b",
        "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "node"}]}],
    }
    ec2.create_launch_template(
        LaunchTemplateName="lt-dev",
        LaunchTemplateData=data,
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": TAGS}],
    )
    assert version_data(ec2) == data


def test_bare_moto_copies_the_template_tags_into_the_version_data(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto keeps the template's tags out of its data itself now: the fix can go."""
    ec2 = bare_moto("ec2")
    ec2.create_launch_template(
        LaunchTemplateName="lt-dev",
        LaunchTemplateData={"ImageId": "ami-12c6146b"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": TAGS}],
    )
    assert version_data(ec2) == {
        "ImageId": "ami-12c6146b",
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": TAGS}],
    }
