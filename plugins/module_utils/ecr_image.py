# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECR calls and the push plan of the ecr_image module.

``client`` is ``PlatformAWSModule.client("ecr")`` (module_utils/retries.py); calls pass
``aws_retry=True``. AWS errors are raised as AnsibleECRError for the module to report once. What ECR
would refuse is refused before anything is pushed, with ECR's own message and the fix
(ECRImageConflict, ECRRepositoryMissing).
"""

from __future__ import annotations

import base64

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

ACCEPTED_MANIFEST_TYPES = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
]
REPOSITORY_FIX = (
    "create the repository first: converge the registry (ansible-playbook site.yml -i <inventory>), "
    "and for a new component add it to platform_components"
)


class AnsibleECRError(AnsibleAWSError):
    pass


class ECRRepositoryMissing(Exception):
    """The repository does not exist; the message is ECR's, with the fix."""


class ECRImageNotFound(Exception):
    """The image to tag is not in the repository; the message names the option."""


class ECRImageConflict(Exception):
    """The tag holds another image in an immutable repository; the message is ECR's, with the fix."""


class ECRErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECRError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ImageNotFoundException")


def _error_message(exc):
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', exc)}"


@ECRErrorHandler.common_error_handler("describe the repository")
def describe_repository(client, name):
    """The repository ``name`` as DescribeRepositories returns it; ECRRepositoryMissing when there is none."""
    try:
        return client.describe_repositories(repositoryNames=[name], aws_retry=True)["repositories"][0]
    except is_boto3_error_code("RepositoryNotFoundException") as exc:
        raise ECRRepositoryMissing(f"{_error_message(exc)}; {REPOSITORY_FIX}") from exc


@ECRErrorHandler.list_error_handler("describe the image", default_value=None)
def describe_image(client, repository, image_id):
    """The image ``image_id`` ({"imageTag": ...} or {"imageDigest": ...}) as DescribeImages returns it, or None."""
    images = client.describe_images(repositoryName=repository, imageIds=[image_id], aws_retry=True)["imageDetails"]
    return images[0] if images else None


@ECRErrorHandler.common_error_handler("read the image manifest")
def get_manifest(client, repository, image_id):
    """``(manifest, media type, digest)`` of ``image_id``, or None when the repository has no such image."""
    result = client.batch_get_image(
        repositoryName=repository,
        imageIds=[image_id],
        acceptedMediaTypes=ACCEPTED_MANIFEST_TYPES,
        aws_retry=True,
    )
    if not result.get("images"):
        return None
    image = result["images"][0]
    media_type = image.get("imageManifestMediaType") or ACCEPTED_MANIFEST_TYPES[0]
    return image["imageManifest"], media_type, image["imageId"]["imageDigest"]


@ECRErrorHandler.common_error_handler("tag the image")
def put_image(client, repository, manifest, media_type, digest, tag):
    return client.put_image(
        repositoryName=repository,
        imageManifest=manifest,
        imageManifestMediaType=media_type,
        imageDigest=digest,
        imageTag=tag,
        aws_retry=True,
    )["image"]


@ECRErrorHandler.common_error_handler("get a registry login")
def registry_login(client, registry_id):
    """``(auth, password)``: the base64 "AWS:<password>" an authfile takes, and the password alone."""
    data = client.get_authorization_token(registryIds=[registry_id], aws_retry=True)["authorizationData"][0]
    auth = data["authorizationToken"]
    password = base64.b64decode(auth).decode().partition(":")[2]
    return auth, password


def registry_host(repository_uri):
    return repository_uri.split("/", 1)[0]


def immutable_tag_message(tag, repository):
    # ECR's ImageTagAlreadyExistsException, word for word (PutImage, and "tag invalid: ..." on a push).
    return (
        f"The image tag '{tag}' already exists in the '{repository}' repository and cannot be overwritten "
        "because the repository is immutable."
    )


def plan_push(repository, mutability, tag, current_digest, wanted_digest):
    """Whether ``tag`` must be (re)pointed at ``wanted_digest``; ECRImageConflict when ECR would refuse it."""
    if current_digest == wanted_digest:
        return False
    if current_digest and mutability == "IMMUTABLE":
        raise ECRImageConflict(
            f"ImageTagAlreadyExistsException: {immutable_tag_message(tag, repository)} The tag holds "
            f"{current_digest}, these bytes are {wanted_digest}. A tag of an immutable repository names one "
            "image forever: build a new commit (or another tag), or delete the tag from the repository first "
            f"(aws ecr batch-delete-image --repository-name {repository} --image-ids imageTag={tag})"
        )
    return True
