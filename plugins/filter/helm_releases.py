# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: helm_releases
short_description: The helm_release role's releases with their defaults, chart overrides and resolved paths
version_added: 0.4.0
description:
  - Fills in each release's defaults (C(state=present), C(create_namespace=true), no values files, no
    values, no secret values).
  - A release named in O(overrides) gets that chart source instead of its own (C(chart_ref),
    C(chart_repo_url) and C(chart_version) are replaced together; values stay the same).
  - Relative local paths (values files, a local chart directory) are resolved against O(base_dir), the
    playbook's directory.
  - Adds C(repository_chart), true for a chart from a repository (C(chart_repo_url) set, or an
    C(oci://) reference).
options:
  _input:
    description: C(helm_release_releases).
    type: list
    elements: dict
    required: true
  overrides:
    description: C(helm_release_chart_overrides), release name to chart source.
    type: dict
    default: {}
  base_dir:
    description: The directory relative paths are relative to (C(playbook_dir)).
    type: str
    required: true
"""

EXAMPLES = r"""
helm_release__releases: >-
  {{ helm_release_releases | teamf.platform.helm_releases(helm_release_chart_overrides, base_dir=playbook_dir) }}
"""

RETURN = r"""
_value:
  description: The releases, in order, completed as described.
  type: list
  elements: dict
"""

import copy

CHART_FIELDS = ("chart_ref", "chart_repo_url", "chart_version")
ITEM_DEFAULTS = {"state": "present", "create_namespace": True, "values_files": [], "values": {}, "secret_values": {}}


def _resolve(path, base_dir):
    return str(path) if str(path).startswith("/") else f"{base_dir}/{path}"


def helm_releases(releases, overrides=None, base_dir=""):
    overrides = overrides or {}
    out = []
    for release in releases:
        merged = copy.deepcopy(ITEM_DEFAULTS) | dict(release)
        name = release.get("name", "")
        if name in overrides:
            merged = {key: value for key, value in merged.items() if key not in CHART_FIELDS} | dict(overrides[name])
        chart_ref = str(merged.get("chart_ref") or "")
        repository = len(str(merged.get("chart_repo_url") or "")) > 0 or chart_ref.startswith("oci://")
        merged["values_files"] = [_resolve(path, base_dir) for path in merged["values_files"]]
        merged["repository_chart"] = repository
        if not repository and chart_ref:
            merged["chart_ref"] = _resolve(chart_ref, base_dir)
        out.append(merged)
    return out


class FilterModule:
    def filters(self):
        return {"helm_releases": helm_releases}
