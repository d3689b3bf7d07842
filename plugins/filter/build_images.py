# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: build_images
short_description: Turn a build output into the image each dev service runs, pinned by digest
version_added: 0.3.0
description:
  - C(playbooks/build.yml) writes, per component, the ECR repository and the digest it pushed. Dev's compose services
    run components under other names; O(components) (the inventory's C(platform_components)) says which.
  - Returns, for every component the build lists, its compose service mapped to C(<repositoryUri>@<digest>), so
    C(playbooks/redeploy.yml) registers task definitions that run exactly the built bytes.
  - Every problem fails naming the build file's field and what to do, before anything is deployed.
options:
  _input:
    description: The build output, as read from its JSON file.
    type: dict
    required: true
  components:
    description: The platform's components (C(platform_components)) with C(name) and C(compose_service).
    type: list
    elements: dict
    required: true
  source:
    description: How the build output is named in messages (the variable or file it came from).
    type: string
    default: images_file
"""

EXAMPLES = r"""
- name: Pin dev's services to the digests of a build
  ansible.builtin.set_fact:
    dev_images: >-
      {{ lookup('ansible.builtin.file', 'build/images.json') | from_json
         | teamf.platform.build_images(platform_components) }}
  # {"auth-server": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api@sha256:...", ...}
"""

RETURN = r"""
_value:
  description: Image reference by compose service.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

FILTER = "build_images"
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+$")
REBUILD = "write it with playbooks/build.yml (its build_output)"


def build_images(build, components, source="images_file"):
    def fail(field, problem):
        raise AnsibleFilterError(f"{FILTER}: {source} field '{field}': {problem}")

    if not isinstance(build, dict) or not isinstance(build.get("images"), dict) or not build["images"]:
        fail("images", f"must map each built component to its repository and digest; {REBUILD}")
    service_of = {}
    for index, component in enumerate(components or []):
        if not isinstance(component, dict) or not component.get("name") or not component.get("compose_service"):
            raise AnsibleFilterError(
                f"{FILTER}: platform_components[{index}] needs 'name' and 'compose_service' "
                "(the dev service running it)"
            )
        service_of[component["name"]] = component["compose_service"]

    images = {}
    for name, image in sorted(build["images"].items()):
        if name not in service_of:
            known = ", ".join(sorted(service_of)) or "none"
            fail(f"images.{name}", f"not a component in platform_components ({known}); add it there or rebuild")
        if not isinstance(image, dict):
            fail(f"images.{name}", "must be a mapping with 'repository' and 'digest'")
        repository, digest = image.get("repository"), image.get("digest")
        if not isinstance(repository, str) or not REPOSITORY.match(repository):
            fail(f"images.{name}.repository", f"{repository!r} is not an image repository (registry/path, no tag)")
        if not isinstance(digest, str) or not DIGEST.match(digest):
            fail(f"images.{name}.digest", f"{digest!r} is not a sha256 digest (sha256: and 64 hex digits); {REBUILD}")
        images[service_of[name]] = f"{repository}@{digest}"
    return images


class FilterModule:
    def filters(self):
        return {"build_images": build_images}
