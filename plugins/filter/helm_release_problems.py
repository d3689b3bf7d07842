# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: helm_release_problems
short_description: Every problem with the helm_release role's release definitions, each naming the field and the fix
version_added: 0.4.0
description:
  - Checks the releases as M(teamf.platform.helm_releases) completed them, before anything reaches a cluster.
  - Release names must be unique. With O(state=present), each present release needs a DNS-label name of at
    most 53 characters (Helm's limit), a C(chart_ref); a repository chart an exact C(chart_version); a local
    chart an existing directory; a C(chart_repo_url) an http(s) or oci URL; and every values file must exist.
  - Runs on the controller, where the charts and values files are.
options:
  _input:
    description: The completed releases (the output of the helm_releases filter).
    type: list
    elements: dict
    required: true
  state:
    description: C(helm_release_state); with C(absent) only the names are checked.
    type: str
    default: present
"""

EXAMPLES = r"""
helm_release__errors: "{{ helm_release__releases | teamf.platform.helm_release_problems(state=helm_release_state) }}"
"""

RETURN = r"""
_value:
  description: The problems, each a message starting with the C(helm_release_releases) field; empty when none.
  type: list
  elements: str
"""

import os
import re

NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")
REPOSITORY_URL = re.compile(r"^(oci|https?)://")


def helm_release_problems(releases, state="present"):
    errors = []
    names = [release.get("name") for release in releases]
    for name in dict.fromkeys(name for name in names if names.count(name) > 1):
        errors.append(
            f"helm_release_releases: release name {name} is listed {names.count(name)} times; names must be unique"
        )
    if state != "present":
        return errors
    for index, release in enumerate(releases):
        if release.get("state") != "present":
            continue
        field = f"helm_release_releases[{index}] ({release.get('name')})"
        if not NAME.match(str(release.get("name") or "")):
            errors.append(f"{field}.name: must be a DNS label (lowercase letters, digits, -) of at most 53 characters")
        chart_ref = str(release.get("chart_ref") or "")
        if not chart_ref:
            errors.append(
                f"{field}.chart_ref: required for a present release"
                " (a chart directory, a repository chart name or an oci:// reference)"
            )
        elif release.get("repository_chart") and not str(release.get("chart_version") or ""):
            errors.append(f"{field}.chart_version: a repository chart must be pinned to an exact version")
        elif not release.get("repository_chart") and not os.path.exists(chart_ref):
            errors.append(
                f"{field}.chart_ref: local chart {chart_ref} not found (set chart_repo_url for a repository chart)"
            )
        repo_url = str(release.get("chart_repo_url") or "")
        if repo_url and not REPOSITORY_URL.match(repo_url):
            errors.append(f"{field}.chart_repo_url: {repo_url} is not an http(s) or oci URL")
        for position, path in enumerate(release.get("values_files") or []):
            if not os.path.isfile(path):
                errors.append(f"{field}.values_files[{position}]: {path} not found")
    return errors


class FilterModule:
    def filters(self):
        return {"helm_release_problems": helm_release_problems}
