#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecr_image
short_description: Build an image and push it to ECR under a tag, or add a tag to an image ECR has
version_added: 0.3.0
description:
  - With O(context), builds the image of a build context with buildah (or docker), computes the manifest
    digest the push will produce, and pushes it to the ECR repository O(repository) under O(tag) unless
    the tag already holds exactly that digest.
  - With O(source_tag) or O(digest), points O(tag) at an image the repository already has (C(PutImage) of
    the same manifest, no push). ECR keeps any number of tags per image; this is how a release version is
    added to the image of a commit.
  - What ECR would refuse is refused before anything is pushed, with ECR's message and the fix, such as a tag
    that holds other bytes in an immutable repository, or a repository that does not exist.
  - The builder exports the image as an OCI layout; its manifest's sha256 is the digest, known before the
    push, and C(skopeo copy --preserve-digests) pushes exactly those bytes. After the push the digest the
    registry reports and the one C(DescribeImages) returns must both equal it.
  - The registry login comes from C(GetAuthorizationToken) (user C(AWS)); the password goes to skopeo in a
    private authentication file (mode 0600, removed at the end), never on a command line or in the output.
author: teamf platform engineers (@teamf)
options:
  repository:
    description:
      - Name of the ECR repository, such as V(teamf/auth-api). It must exist.
    type: str
    required: true
  tag:
    description:
      - The tag the image gets, such as the full git commit SHA of the build context or a release version.
    type: str
    required: true
  context:
    description:
      - The build context, a directory on the controller. Builds the image and pushes it.
      - Mutually exclusive with O(source_tag) and O(digest); one of the three is required.
    type: path
  dockerfile:
    description:
      - The Dockerfile, relative to O(context).
    type: str
    default: Dockerfile
  build_args:
    description:
      - Build arguments (C(ARG)) for the Dockerfile. They appear in the builder's command line and in the
        image's history, so they are not for secrets.
    type: dict
    default: {}
  extra_files:
    description:
      - Files of the controller to add to the build context, as a mapping of a path inside the context to
        the controller's file, for example C(busybox) to C(/bin/busybox).
      - When set, the build runs on a temporary copy of O(context) holding them; the context itself is
        never written to. The digest then depends on those files too.
    type: dict
    default: {}
  builder:
    description:
      - V(buildah) builds without a daemon into its own storage under O(build_storage), with
        C(--timestamp 0), so the same context gives the same digest.
      - V(docker) uses C(docker buildx build --provenance=false --sbom=false) and a BuildKit builder that
        exports OCI layouts (the docker-container driver, or the containerd image store); BuildKit dates
        the image from C(SOURCE_DATE_EPOCH=0).
    type: str
    choices: [buildah, docker]
    default: buildah
  build_storage:
    description:
      - buildah's storage directory (its C(--root) and C(--runroot) go below it).
      - Defaults to E(TEAMF_BUILD_STORAGE), else C(~/.cache/teamf/buildah).
    type: path
  push_endpoint:
    description:
      - V(host:port) of a plain-HTTP registry that serves the repository under the same names, such as the
        emulator's registry stand-in. Only the push goes there; RV(repository) stays ECR's repository URI.
      - When not set, the image goes to the repository URI's registry over HTTPS, as with AWS.
    type: str
  source_tag:
    description:
      - Tag of an image the repository has; O(tag) is added to that image.
    type: str
  digest:
    description:
      - Digest (V(sha256:...)) of an image the repository has; O(tag) is added to that image.
    type: str
notes:
  - Supports check mode and diff mode. In check mode the image is still built (the digest decides whether
    a push is needed), but nothing is pushed or tagged; C(changed) says whether it would be.
  - Needs C(skopeo) on the controller, and C(buildah) or C(docker) to build.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Build auth-api at a commit and push it (nothing is pushed when the tag already has these bytes)
  teamf.platform.ecr_image:
    repository: teamf/auth-api
    tag: "{{ commit }}"
    context: "{{ source_dir }}/examples/backend/auth"
    extra_files:
      busybox: /bin/busybox
  register: auth_image

- name: Tag the image of that commit with the release version
  teamf.platform.ecr_image:
    repository: teamf/auth-api
    digest: "{{ auth_image.digest }}"
    tag: "1.2.0"
"""

RETURN = r"""
repository:
  description: The repository URI, as ECR names it.
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api
tag:
  description: The tag.
  returned: always
  type: str
  sample: 0f3c2a9d8b7e6f5a4c3b2a1f0e9d8c7b6a5f4e3d
digest:
  description: The image's manifest digest, which O(tag) points at after the run (or would, in check mode).
  returned: always
  type: str
  sample: sha256:3f850fbafa3cc062c08cc165b8a8eb9f70e305eebf9f7c587e9fee4b1bbc87fb
pushed:
  description: Whether the run pushed the image or tagged it (false in check mode).
  returned: always
  type: bool
size:
  description: Bytes of the image's compressed layers, as ECR counts C(imageSizeInBytes).
  returned: always
  type: int
  sample: 1087709
diff:
  description: The digest O(tag) pointed at before the run (empty when it did not exist) and after it.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import json
import os
import tempfile
from pathlib import Path

from ansible.module_utils.basic import env_fallback
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.ecr_image import (
    ECRImageConflict,
    ECRImageNotFound,
    ECRRepositoryMissing,
    describe_image,
    describe_repository,
    get_manifest,
    plan_push,
    put_image,
    registry_host,
    registry_login,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.image_build import (
    ImageBuildError,
    build_commands,
    build_environment,
    check_inputs,
    cleanup_commands,
    default_storage,
    image_size,
    push_command,
    read_layout,
    stage_context,
    tail,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class ImageManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.name = module.params["repository"]
        self.tag = module.params["tag"]
        self.repository = {}
        self.result = {"changed": False, "repository": "", "tag": self.tag, "digest": "", "pushed": False, "size": 0}

    def run(self):
        self.repository = describe_repository(self.client, self.name)
        self.result["repository"] = self.repository["repositoryUri"]
        if self.params["context"]:
            self.ensure_built()
        else:
            self.ensure_tagged()

    def plan(self, digest, size):
        """Record the image; True when the tag must move to it (ECRImageConflict when ECR would refuse)."""
        current = describe_image(self.client, self.name, {"imageTag": self.tag})
        current_digest = current["imageDigest"] if current else ""
        self.result.update(digest=digest, size=size)
        if self.module._diff:
            self.result["diff"] = {"before": {"digest": current_digest}, "after": {"digest": digest}}
        mutability = self.repository.get("imageTagMutability", "MUTABLE")
        self.result["changed"] = plan_push(self.name, mutability, self.tag, current_digest, digest)
        return self.result["changed"] and not self.module.check_mode

    def ensure_built(self):
        with tempfile.TemporaryDirectory(prefix="ecr-image-") as workdir:
            layout = Path(workdir) / "layout"
            digest, size = self.build(Path(workdir), layout)
            if self.plan(digest, size):
                self.push(Path(workdir), layout, digest)

    def build(self, workdir, layout):
        params = self.params
        context = params["context"]
        if params["extra_files"]:
            context = stage_context(context, params["extra_files"], workdir)
        storage = params["build_storage"] or default_storage()
        local_name = f"{self.result['repository']}:{self.tag}"
        commands = build_commands(
            params["builder"],
            context,
            Path(context) / params["dockerfile"],
            local_name,
            layout,
            {key: str(value) for key, value in params["build_args"].items()},
            storage,
        )
        try:
            for command in commands:
                rc, out, err = self.module.run_command(command, environ_update=build_environment(params["builder"]))
                if rc != 0:
                    raise ImageBuildError(
                        f"building {params['context']} ({params['dockerfile']}) with {params['builder']} failed "
                        f"(exit {rc}); nothing was pushed. {command[0]} said:\n{tail(err or out)}"
                    )
            return read_layout(layout)
        finally:
            for command in cleanup_commands(params["builder"], local_name, storage):
                self.module.run_command(command)

    def push(self, workdir, layout, digest):
        auth, password = registry_login(self.client, self.repository["registryId"])
        self.module.no_log_values.update([auth, password])
        host = self.params["push_endpoint"] or registry_host(self.result["repository"])
        # TemporaryDirectory is private (0700); the file is created 0600 before the login is written.
        authfile = workdir / "auth.json"
        descriptor = os.open(authfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            json.dump({"auths": {host: {"auth": auth}}}, stream)
        digestfile = workdir / "pushed-digest"
        command = push_command(
            layout, f"{host}/{self.name}:{self.tag}", authfile, digestfile, bool(self.params["push_endpoint"])
        )
        rc, out, err = self.module.run_command(command)
        if rc != 0:
            raise ImageBuildError(f"pushing to {host}/{self.name}:{self.tag} failed (exit {rc}):\n{tail(err or out)}")
        pushed = digestfile.read_text().strip()
        if pushed != digest:
            raise ImageBuildError(f"the registry stored {pushed} for {self.tag}, but the built image is {digest}")
        self.confirm(digest)

    def confirm(self, digest):
        after = describe_image(self.client, self.name, {"imageTag": self.tag})
        if not after or after["imageDigest"] != digest:
            found = after["imageDigest"] if after else "no image"
            raise ImageBuildError(f"after the push ECR has {found} under {self.tag}, not {digest}")
        self.result["pushed"] = True

    def ensure_tagged(self):
        if self.params["source_tag"]:
            option, source = "source_tag", {"imageTag": self.params["source_tag"]}
        else:
            option, source = "digest", {"imageDigest": self.params["digest"]}
        found = get_manifest(self.client, self.name, source)
        if found is None:
            raise ECRImageNotFound(f"{option}: {self.name} has no image {self.params[option]} to tag {self.tag}")
        manifest, media_type, digest = found
        if self.plan(digest, image_size(json.loads(manifest))):
            put_image(self.client, self.name, manifest, media_type, digest, self.tag)
            self.confirm(digest)


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        tag=dict(type="str", required=True),
        context=dict(type="path"),
        dockerfile=dict(type="str", default="Dockerfile"),
        build_args=dict(type="dict", default={}),
        extra_files=dict(type="dict", default={}),
        builder=dict(type="str", choices=["buildah", "docker"], default="buildah"),
        build_storage=dict(type="path", fallback=(env_fallback, ["TEAMF_BUILD_STORAGE"])),
        push_endpoint=dict(type="str"),
        source_tag=dict(type="str"),
        digest=dict(type="str"),
    )
    module = PlatformAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("context", "source_tag", "digest")],
        required_one_of=[("context", "source_tag", "digest")],
    )
    problems = check_inputs(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client("ecr")
    context = f"image {module.params['repository']}:{module.params['tag']}"
    manager = ImageManager(module, client)
    try:
        manager.run()
    except (ECRRepositoryMissing, ECRImageNotFound, ECRImageConflict, ImageBuildError) as exc:
        module.fail_json(msg=f"{context}: {exc}", **manager.result)
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, context)
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
