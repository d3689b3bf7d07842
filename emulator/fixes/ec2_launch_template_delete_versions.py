"""EC2 DeleteLaunchTemplateVersions, and version numbers that survive deletions.

What moto does: DeleteLaunchTemplateVersions is not implemented (500), so teardown of launch
template versions fails. moto also finds versions by list position, which would break as soon as
one is deleted.

What AWS documents:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteLaunchTemplateVersions.html
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/delete-launch-template.html

The call deletes the given version numbers of one template (by id or name) and reports each in
``SuccessfullyDeletedLaunchTemplateVersions`` or, with a ``ResponseError`` (for example
``launchTemplateVersionDoesNotExist``), in ``UnsuccessfullyDeletedLaunchTemplateVersions``. The
default version cannot be deleted this way. Version numbers are never reused: the next version
after deleting the latest one still gets the next higher number.

What the fix changes: implements the call and makes version lookup (``get_version``, the default
version, MinVersion/MaxVersion in DescribeLaunchTemplateVersions, new version numbers) go by
version number instead of list position.
"""

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateBackend, LaunchTemplateVersion
from moto.ec2.responses.launch_templates import LaunchTemplates


def create_version(self: LaunchTemplate, data, description) -> LaunchTemplateVersion:
    number = max([v.number for v in self.versions] + [self.__dict__.get("_teamf_highest_version", 0)]) + 1
    self._teamf_highest_version = number
    version = LaunchTemplateVersion(self, number, data, description)
    self.versions.append(version)
    return version


def get_version(self: LaunchTemplate, num) -> LaunchTemplateVersion:
    if str(num).lower() == "$latest":
        return self.versions[-1]
    if str(num).lower() == "$default":
        num = self.default_version_number
    for version in self.versions:
        if str(version.number) == str(num):
            return version
    raise InvalidLaunchTemplateVersionNotFound(template_id=self.id, version=num)


def default_version(self: LaunchTemplate) -> LaunchTemplateVersion:
    return self.get_version(self.default_version_number)


def delete_launch_template_versions(self: LaunchTemplateBackend, template_name, template_id, versions):
    template = (
        self.get_launch_template_by_name(template_name) if template_name else self.get_launch_template(template_id)
    )
    deleted, failed = [], []
    for requested in versions:
        item = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name}
        match = [v for v in template.versions if str(v.number) == str(requested)]
        if not match:
            code, message = "launchTemplateVersionDoesNotExist", "Could not find launch template version"
        elif template.is_default(match[0]):
            code, message = "unexpectedError", "Cannot delete the default version of a launch template"
        else:
            template.versions.remove(match[0])
            deleted.append({**item, "VersionNumber": match[0].number})
            continue
        number = int(requested) if str(requested).isdigit() else None
        failed.append({**item, "VersionNumber": number, "ResponseError": {"Code": code, "Message": message}})
    return deleted, failed


def response_delete_launch_template_versions(self: LaunchTemplates) -> ActionResult:
    self.error_on_dryrun()
    deleted, failed = self.ec2_backend.delete_launch_template_versions(
        self._get_param("LaunchTemplateName"), self._get_param("LaunchTemplateId"), self._get_param("Versions", [])
    )
    return ActionResult(
        {"SuccessfullyDeletedLaunchTemplateVersions": deleted, "UnsuccessfullyDeletedLaunchTemplateVersions": failed}
    )


def apply() -> None:
    if hasattr(LaunchTemplates, "delete_launch_template_versions"):
        return
    LaunchTemplate.create_version = create_version
    LaunchTemplate.get_version = get_version
    LaunchTemplate.default_version = default_version
    LaunchTemplateBackend.delete_launch_template_versions = delete_launch_template_versions
    LaunchTemplates.delete_launch_template_versions = response_delete_launch_template_versions

    original_describe = LaunchTemplateBackend.describe_launch_template_versions

    def describe_launch_template_versions(
        self, template_name, template_id, versions, min_version, max_version, max_results
    ):
        if versions or not (min_version or max_version) or not (template_name or template_id):
            return original_describe(self, template_name, template_id, versions, min_version, max_version, max_results)
        everything = original_describe(self, template_name, template_id, versions, None, None, 10**9)
        low, high = min_version or 0, max_version or float("inf")
        return [(t, v) for t, v in everything if low <= v.number <= high][:max_results]

    LaunchTemplateBackend.describe_launch_template_versions = describe_launch_template_versions
