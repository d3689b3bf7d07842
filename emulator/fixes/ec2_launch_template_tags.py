"""EC2 CreateLaunchTemplate: the launch template's own tags are not launch template data.

What moto does: copies the request's top-level ``TagSpecifications`` (the tags of the launch
template resource itself) into version 1's ``LaunchTemplateData.TagSpecifications``. amazon.aws
``ec2_launch_template`` then sees data it did not ask for and creates version 2 on every rerun.

What AWS documents: the top-level ``TagSpecifications`` of CreateLaunchTemplate are "The tags to
apply to the launch template on creation" (resource type ``launch-template``); tags for the
instances and volumes launched from it belong in ``LaunchTemplateData.TagSpecifications``:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html

What the fix changes: the entries moto appended are removed from the version data again, so the
version holds exactly the ``LaunchTemplateData`` that was sent; the template keeps its tags.
"""

from moto.ec2.models.launch_templates import LaunchTemplateBackend


def _appended_specs(tag_spec: dict) -> list[dict]:
    """What moto's CreateLaunchTemplate handler appends for ``tag_spec``, in its order."""
    return [
        {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        for resource_type, tags in tag_spec.items()
    ]


def apply() -> None:
    original = LaunchTemplateBackend.create_launch_template
    if getattr(original, "_teamf_fixed", False):
        return

    def create_launch_template(self, name, description, template_data, tag_spec):
        specs = template_data.get("TagSpecifications") if isinstance(template_data, dict) else None
        appended = _appended_specs(tag_spec or {})
        if specs and appended and specs[-len(appended) :] == appended:
            template_data = dict(template_data)
            kept = specs[: -len(appended)]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                del template_data["TagSpecifications"]
        return original(self, name, description, template_data, tag_spec)

    create_launch_template._teamf_fixed = True
    LaunchTemplateBackend.create_launch_template = create_launch_template
