# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planner and the calls of the ecr_repositories module (a set of ECR repositories in one run).

community.aws.ecs_ecr converges one repository per process and cannot set tags, so the registry role
ran it twice per repository (create, then the lifecycle policy) and a tagging module a third time.
Here one DescribeRepositories lists the registry; per existing repository the lifecycle policy and
the tags are read once; ``plan`` says what differs; only those calls are made.

``client`` is ``PlatformAWSModule.client("ecr")`` (module_utils/retries.py): single calls pass
``aws_retry=True``. AWS errors are raised as AnsibleECRError (module_utils/ecr.py).

AWS documentation followed:
- CreateRepository ``tags``, ``imageTagMutability``, ``imageScanningConfiguration``:
  https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
- PutImageTagMutability, PutImageScanningConfiguration, PutLifecyclePolicy:
  https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html
- DeleteRepository ``force`` (deletes the images too; without it a repository holding images is refused):
  https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html
- Repository ARN and URI formats:
  https://docs.aws.amazon.com/AmazonECR/latest/userguide/Repositories.html
"""

from __future__ import annotations

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    compare_aws_tags,
)
from ansible_collections.teamf.platform.plugins.module_utils.ecr import ECRErrorHandler

# ECR's repositoryName pattern (CreateRepository), 2 to 256 characters.
NAME_PATTERN = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")


# --- AWS calls ----------------------------------------------------------------------------------


@ECRErrorHandler.common_error_handler("create repository")
def create_repository(client, name, mutability, scan_on_push, tags):
    kwargs = dict(
        repositoryName=name,
        imageTagMutability=mutability,
        imageScanningConfiguration={"scanOnPush": scan_on_push},
        aws_retry=True,
    )
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_repository(**kwargs)["repository"]


@ECRErrorHandler.common_error_handler("set image tag mutability")
def put_mutability(client, name, mutability):
    client.put_image_tag_mutability(repositoryName=name, imageTagMutability=mutability, aws_retry=True)


@ECRErrorHandler.common_error_handler("set image scanning")
def put_scanning(client, name, scan_on_push):
    client.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": scan_on_push}, aws_retry=True
    )


@ECRErrorHandler.common_error_handler("put lifecycle policy")
def put_lifecycle_policy(client, name, policy):
    client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy), aws_retry=True)


@ECRErrorHandler.common_error_handler("delete repository")
def delete_repository(client, name, force):
    client.delete_repository(repositoryName=name, force=force, aws_retry=True)


@ECRErrorHandler.common_error_handler("look up the account")
def caller_arn(sts):
    """The caller's ARN (its partition and account make the ARNs and URIs of repositories to be)."""
    return sts.get_caller_identity(aws_retry=True)["Arn"]


# --- planning -----------------------------------------------------------------------------------


# PutLifecyclePolicy's lifecyclePolicyText length bounds.
POLICY_LENGTH = (100, 30720)


def validation_errors(names, lifecycle_policy=None):
    """Messages naming each bad entry of the module's ``repositories`` (and a lifecycle policy ECR would
    refuse), before any AWS call: a refusal after CreateRepository would leave a repository half made."""
    errors, seen = [], {}
    if lifecycle_policy is not None:
        length = len(json.dumps(lifecycle_policy))
        if not POLICY_LENGTH[0] <= length <= POLICY_LENGTH[1]:
            errors.append(
                f"lifecycle_policy is {length} characters as JSON: ECR takes {POLICY_LENGTH[0]} to {POLICY_LENGTH[1]}"
                " (a policy needs at least one rule with its selection and action)"
            )
    for index, name in enumerate(names):
        if not NAME_PATTERN.fullmatch(name or "") or not 2 <= len(name) <= 256:
            errors.append(
                f"repositories[{index}]={name!r} is not an ECR repository name: lowercase letters, digits and"
                " . _ - separated path parts, such as teamf/auth-api"
            )
        elif name in seen:
            errors.append(f"repositories[{index}]={name} is listed again (first as repositories[{seen[name]}])")
        else:
            seen[name] = index
    return errors


def normalized_policy(policy):
    """``policy`` as ECR hands it back (JSON numbers and strings as written), for comparison."""
    return None if policy is None else json.loads(json.dumps(policy))


def plan(name, current, want):
    """What to do for the repository ``name``.

    ``current`` is None (missing) or dict(repository=<DescribeRepositories entry>, lifecycle_policy=...,
    tags=...). ``want`` holds the module's ``image_tag_mutability``, ``scan_on_push``,
    ``lifecycle_policy`` (None leaves the policy alone), ``tags`` (None leaves them alone) and
    ``purge_tags``. Returns dict(name, create, mutability, scan_on_push, lifecycle_policy, tags_to_set,
    tags_to_unset): a setting that is right is None, tags empty.
    """
    step = dict(name=name, create=current is None, mutability=None, scan_on_push=None, lifecycle_policy=None)
    step.update(tags_to_set={}, tags_to_unset=[])
    policy = normalized_policy(want["lifecycle_policy"])
    if current is None:
        step["lifecycle_policy"] = policy
        return step
    repository = current["repository"]
    if repository.get("imageTagMutability") != want["image_tag_mutability"]:
        step["mutability"] = want["image_tag_mutability"]
    if bool(repository.get("imageScanningConfiguration", {}).get("scanOnPush")) != want["scan_on_push"]:
        step["scan_on_push"] = want["scan_on_push"]
    if policy is not None and current["lifecycle_policy"] != policy:
        step["lifecycle_policy"] = policy
    if want["tags"] is not None:
        step["tags_to_set"], step["tags_to_unset"] = compare_aws_tags(current["tags"], want["tags"], want["purge_tags"])
    return step


def step_changes(step):
    return bool(
        step["create"]
        or step["mutability"]
        or step["scan_on_push"] is not None
        or step["lifecycle_policy"] is not None
        or step["tags_to_set"]
        or step["tags_to_unset"]
    )


def predicted_identity(name, arn_of_caller, region):
    """The ARN and URI AWS gives the repository ``name`` of the caller's account (for check mode)."""
    partition, account = arn_of_caller.split(":")[1], arn_of_caller.split(":")[4]
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return (
        f"arn:{partition}:ecr:{region}:{account}:repository/{name}",
        f"{account}.dkr.ecr.{region}.{suffix}/{name}",
    )


def settings_view(mutability, scan_on_push, lifecycle_policy, tags):
    """One repository in the diff and the result."""
    return dict(
        image_tag_mutability=mutability, scan_on_push=scan_on_push, lifecycle_policy=lifecycle_policy, tags=tags
    )


def after_view(step, current, want):
    """The settings the repository has once ``step`` is done (or would have, in check mode)."""
    if current is None:
        return settings_view(
            want["image_tag_mutability"], want["scan_on_push"], step["lifecycle_policy"], dict(want["tags"] or {})
        )
    repository = current["repository"]
    tags = {k: v for k, v in current["tags"].items() if k not in step["tags_to_unset"]}
    tags.update(step["tags_to_set"])
    return settings_view(
        step["mutability"] or repository.get("imageTagMutability"),
        bool(repository.get("imageScanningConfiguration", {}).get("scanOnPush"))
        if step["scan_on_push"] is None
        else step["scan_on_push"],
        current["lifecycle_policy"] if step["lifecycle_policy"] is None else step["lifecycle_policy"],
        tags,
    )


def before_view(current):
    repository = current["repository"]
    return settings_view(
        repository.get("imageTagMutability"),
        bool(repository.get("imageScanningConfiguration", {}).get("scanOnPush")),
        current["lifecycle_policy"],
        current["tags"],
    )
