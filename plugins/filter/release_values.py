# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: release_values
short_description: Turn a backend release manifest into the Helm values that deploy exactly it
version_added: 0.2.0
description:
  - A release manifest (C(releases/<version>.yml)) is the unit that moves from staging to prod. It names the
    backend chart version, one immutable image per component and optional release-wide values.
  - Checks the manifest and returns its values for C(charts/api) (C(release) plus each component's
    C(image)), merged over the manifest's own C(values).
  - Every problem fails naming the manifest field and what to write instead, so a bad manifest never
    reaches a cluster.
  - An image is a repository plus a tag or a C(sha256:) digest. C(latest) and an empty tag are refused, since
    a release must name an artifact that cannot change under it.
  - An optional C(source) mapping records where the images were built from (C(commit), the full git SHA
    C(playbooks/release.yml) writes); it is provenance only and does not change the values.
options:
  _input:
    description: The manifest, as read from its YAML file.
    type: dict
    required: true
  version:
    description: The release the manifest must describe (its file name); empty skips the check.
    type: string
    default: ""
  chart_version:
    description: The version of the chart that will be installed; the manifest's C(chart.version) must equal it.
    type: string
    default: ""
  components:
    description: The chart's components; the manifest needs exactly one image for each.
    type: list
    elements: string
    default: [authApi, usersApi, redis]
"""

EXAMPLES = r"""
- name: Values of release 1.1.0 for the backend chart
  ansible.builtin.set_fact:
    api_values: >-
      {{ lookup('ansible.builtin.file', 'releases/1.1.0.yml') | ansible.builtin.from_yaml
         | teamf.platform.release_values(version='1.1.0', chart_version='1.0.0') }}
  # {"release": "1.1.0", "authApi": {"image": {"repository": "...", "tag": "1.1.0", "digest": ""}}, ...}
"""

RETURN = r"""
_value:
  description: Helm values for the backend chart.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

FILTER = "release_values"
VERSION = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# https://github.com/distribution/reference/blob/main/reference.go (tag grammar)
TAG = re.compile(r"^[\w][\w.-]{0,127}$")
REPOSITORY = re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
TOP_LEVEL = {"version", "chart", "images", "values", "notes", "source"}


def _fail(field, problem):
    raise AnsibleFilterError(f"{FILTER}: release manifest field '{field}': {problem}")


def _image(component, image):
    field = f"images.{component}"
    if not isinstance(image, dict):
        _fail(field, "must be a mapping with 'repository' and 'tag' or 'digest'")
    unknown = sorted(set(image) - {"repository", "tag", "digest"})
    if unknown:
        _fail(f"{field}.{unknown[0]}", "unknown key; an image has only repository, tag and digest")
    repository = image.get("repository")
    # A colon after the last slash is a tag ("redis:7"); before it, a registry port ("host:5000/x").
    if not isinstance(repository, str) or not REPOSITORY.match(repository) or ":" in repository.rsplit("/", 1)[-1]:
        _fail(f"{field}.repository", f"{repository!r} is not an image repository (registry/path, no tag)")
    tag, digest = str(image.get("tag") or ""), str(image.get("digest") or "")
    if not tag and not digest:
        _fail(field, "needs a 'tag' or a 'digest' (sha256:...)")
    if digest and not DIGEST.match(digest):
        _fail(f"{field}.digest", f"{digest!r} is not a sha256 digest (sha256: and 64 hex digits)")
    if tag and not TAG.match(tag):
        _fail(f"{field}.tag", f"{tag!r} is not a valid image tag")
    if tag == "latest" and not digest:
        _fail(f"{field}.tag", "'latest' can change after the release; use a version tag or a digest")
    return {"repository": repository, "tag": tag, "digest": digest}


def release_values(manifest, version="", chart_version="", components=None):
    components = ["authApi", "usersApi", "redis"] if components is None else components
    if not isinstance(manifest, dict):
        _fail("(top)", "the manifest must be a YAML mapping with version, chart and images")
    unknown = sorted(set(manifest) - TOP_LEVEL)
    if unknown:
        _fail(unknown[0], f"unknown key; a manifest has {', '.join(sorted(TOP_LEVEL))}")

    declared = str(manifest.get("version", ""))
    if not VERSION.match(declared):
        _fail("version", f"{declared!r} is not a release version (MAJOR.MINOR.PATCH[-suffix])")
    if version and declared != str(version):
        _fail("version", f"says {declared!r} but the file is release {version!r}; name the file after its version")

    chart = manifest.get("chart")
    if not isinstance(chart, dict) or not chart.get("version"):
        _fail("chart.version", "the backend chart version the release was tested with is required")
    if chart_version and str(chart["version"]) != str(chart_version):
        _fail(
            "chart.version",
            f"{chart['version']!r} but the chart to install is {chart_version!r}; "
            "release the chart version you tested, or cut a new release",
        )

    images = manifest.get("images")
    if not isinstance(images, dict):
        _fail("images", f"must map each component ({', '.join(components)}) to its image")
    for name in components:
        if name not in images:
            _fail(f"images.{name}", "missing; every component needs its image in the release")
    extra = sorted(set(images) - set(components))
    if extra:
        _fail(f"images.{extra[0]}", f"not a component of the chart ({', '.join(components)})")

    source = manifest.get("source", {})
    if not isinstance(source, dict):
        _fail("source", "must be a mapping such as {commit: <40-hex git SHA>}")
    unknown = sorted(set(source) - {"commit"})
    if unknown:
        _fail(f"source.{unknown[0]}", "unknown key; source has only commit")
    if "commit" in source and not COMMIT.match(str(source["commit"])):
        _fail("source.commit", f"{source['commit']!r} is not a full git commit SHA (40 lowercase hex digits)")

    values = manifest.get("values") or {}
    if not isinstance(values, dict):
        _fail("values", "must be a mapping of chart values")
    if "release" in values:
        _fail("values.release", "is set from the manifest's version; remove it")
    for name in components:
        if isinstance(values.get(name), dict) and "image" in values[name]:
            _fail(f"values.{name}.image", "images belong under 'images'; remove it from values")

    result = {key: (dict(value) if isinstance(value, dict) else value) for key, value in values.items()}
    result["release"] = declared
    for name in components:
        result.setdefault(name, {})
        if not isinstance(result[name], dict):
            _fail(f"values.{name}", "must be a mapping")
        result[name]["image"] = _image(name, images[name])
    return result


class FilterModule:
    def filters(self):
        return {"release_values": release_values}
