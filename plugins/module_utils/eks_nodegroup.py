# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EKS managed node groups: what to send (pure helpers) and the calls that send it.

The pure half turns module parameters and a DescribeNodegroup answer into requests: validation,
the create request, and compare helpers that return only what has to change. The AWS half wraps
single calls and raises AnsibleEKSNodegroupError for the module to report once.

``client`` is ``PlatformAWSModule.client("eks")`` (module_utils/retries.py): single calls pass
``aws_retry=True``; waiters retry each poll.
"""

from __future__ import annotations

import copy
import re
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.retries import poll_pauses, wait_fast_first

TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
KUBERNETES_TAINT_EFFECTS = {
    "NoSchedule": "NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
}
REPLACEMENT_ADVICE = "create a nodegroup under a new name with the new value, move workloads, then remove this one"
REQUIRED_ON_CREATE = ("node_role_arn", "subnet_ids", "scaling")

# Module option -> DescribeNodegroup key, for the settings AWS cannot change in place.
IMMUTABLE_FIELDS = (
    ("node_role_arn", "nodeRole"),
    ("subnet_ids", "subnets"),
    ("instance_types", "instanceTypes"),
    ("capacity_type", "capacityType"),
    ("ami_type", "amiType"),
    ("disk_size", "diskSize"),
)
UPDATE_CONFIG_KEYS = (("max_unavailable", "maxUnavailable"), ("max_unavailable_percentage", "maxUnavailablePercentage"))


class AnsibleEKSNodegroupError(AnsibleAWSError):
    pass


# ---- validation and the create request ---------------------------------------------------------


def validate_params(params):
    """Problems with the wanted state that need no AWS call to spot, one message each."""
    errors = []
    scaling = params.get("scaling")
    if scaling:
        errors += _scaling_errors(scaling, params.get("desired_size_policy") or "initial")
    for index, taint in enumerate(params.get("taints") or []):
        effect = taint.get("effect")
        if effect not in TAINT_EFFECTS:
            hint = (
                f" (Kubernetes' {effect} is {KUBERNETES_TAINT_EFFECTS[effect]})"
                if effect in KUBERNETES_TAINT_EFFECTS
                else ""
            )
            errors.append(f"taints[{index}].effect {effect!r} must be one of {', '.join(TAINT_EFFECTS)}{hint}")
        if not taint.get("key"):
            errors.append(f"taints[{index}].key must not be empty")
    seen = set()
    for taint in params.get("taints") or []:
        identity = (taint.get("key"), taint.get("effect"))
        if identity in seen:
            errors.append(f"taints: key {identity[0]!r} appears twice with effect {identity[1]}")
        seen.add(identity)

    template = params.get("launch_template")
    if template:
        if bool(template.get("id")) == bool(template.get("name")):
            errors.append("launch_template needs exactly one of id or name")
        version = template.get("version")
        if version is not None and not re.fullmatch(r"[1-9][0-9]*", str(version)):
            errors.append(
                f"launch_template.version {version!r} must be a version number: EKS records the number it resolves "
                "$Latest/$Default to, so only a number can be converged"
            )
        if params.get("disk_size") is not None:
            errors.append("disk_size cannot be used with launch_template: set the volume size in the launch template")
    if params.get("ami_type") == "CUSTOM":
        if not template:
            errors.append("ami_type CUSTOM needs a launch_template that names the AMI")
        for option in ("version", "release_version"):
            if params.get(option):
                errors.append(f"{option} cannot be set with ami_type CUSTOM: the launch template's AMI decides it")

    update_config = params.get("update_config")
    if update_config is not None:
        given = [option for option, _key in UPDATE_CONFIG_KEYS if update_config.get(option) is not None]
        if len(given) != 1:
            errors.append("update_config needs exactly one of max_unavailable or max_unavailable_percentage")
        for option, _key in UPDATE_CONFIG_KEYS:
            value = update_config.get(option)
            if value is not None and not 1 <= value <= 100:
                errors.append(f"update_config.{option} {value} must be 1 to 100")
    for option in ("subnet_ids", "instance_types"):
        if params.get(option) == []:
            errors.append(f"{option} must not be empty")
    if params.get("disk_size") is not None and params["disk_size"] < 1:
        errors.append(f"disk_size {params['disk_size']} must be a positive number of GiB")
    return errors


def _scaling_errors(scaling, policy):
    low, high, desired = scaling.get("min_size"), scaling.get("max_size"), scaling.get("desired_size")
    errors = []
    if low is None or high is None:
        errors.append("scaling needs min_size and max_size")
    if low is not None and low < 0:
        errors.append(f"scaling.min_size {low} must not be negative")
    if high is not None and high < 1:
        errors.append(f"scaling.max_size {high} must be at least 1")
    if low is not None and high is not None and low > high:
        errors.append(f"scaling.min_size {low} must not exceed scaling.max_size {high}")
    if desired is not None:
        if low is not None and desired < low:
            errors.append(f"scaling.desired_size {desired} must not be below scaling.min_size {low}")
        if high is not None and desired > high:
            errors.append(f"scaling.desired_size {desired} must not exceed scaling.max_size {high}")
    elif policy == "enforce":
        errors.append("scaling.desired_size is required with desired_size_policy enforce")
    return errors


def missing_for_create(params):
    """The options a new nodegroup needs that were not given."""
    return [option for option in REQUIRED_ON_CREATE if not params.get(option)]


def label_text(value):
    return str(value).lower() if isinstance(value, bool) else str(value)


def wanted_labels(params):
    labels = params.get("labels")
    return None if labels is None else {key: label_text(value) for key, value in labels.items()}


def wanted_taints(params):
    taints = params.get("taints")
    if taints is None:
        return None
    return [_taint(taint["key"], taint.get("value"), taint["effect"]) for taint in taints]


def _taint(key, value, effect):
    taint = {"key": key, "effect": effect}
    if value not in (None, ""):
        taint["value"] = str(value)
    return taint


def wanted_update_config(params):
    update_config = params.get("update_config")
    if update_config is None:
        return None
    return {key: update_config[option] for option, key in UPDATE_CONFIG_KEYS if update_config.get(option) is not None}


def wanted_launch_template(params):
    template = params.get("launch_template")
    if not template:
        return None
    spec = {key: template[key] for key in ("id", "name") if template.get(key)}
    if template.get("version") is not None:
        spec["version"] = str(template["version"])
    return spec


def create_request(params):
    """CreateNodegroup keyword arguments from validated module parameters."""
    scaling = params["scaling"]
    request = {
        "clusterName": params["cluster_name"],
        "nodegroupName": params["name"],
        "nodeRole": params["node_role_arn"],
        "subnets": list(params["subnet_ids"]),
        "scalingConfig": {
            "minSize": scaling["min_size"],
            "maxSize": scaling["max_size"],
            "desiredSize": scaling["min_size"] if scaling.get("desired_size") is None else scaling["desired_size"],
        },
        "capacityType": params["capacity_type"],
        "amiType": params["ami_type"],
    }
    optional = {
        "instanceTypes": params.get("instance_types"),
        "diskSize": params.get("disk_size"),
        "launchTemplate": wanted_launch_template(params),
        "labels": wanted_labels(params),
        "taints": wanted_taints(params),
        "updateConfig": wanted_update_config(params),
        "version": params.get("version"),
        "releaseVersion": params.get("release_version"),
        "tags": params.get("tags"),
    }
    request.update({key: value for key, value in optional.items() if value})
    return request


# ---- compare helpers: what to set, what to unset ----------------------------------------------


def immutable_changes(nodegroup, params):
    """``(option, current, wanted)`` for every wanted setting AWS can only get on a new nodegroup."""
    changes = []
    for option, key in IMMUTABLE_FIELDS:
        wanted, current = params.get(option), nodegroup.get(key)
        if wanted is None:
            continue
        if option == "subnet_ids":
            differs = sorted(wanted) != sorted(current or [])
        elif option == "instance_types":
            differs = list(wanted) != list(current or [])
        else:
            differs = wanted != current
        if differs:
            changes.append((option, current, wanted))

    wanted_template, current_template = wanted_launch_template(params), nodegroup.get("launchTemplate")
    if wanted_template:
        if not current_template:
            changes.append(("launch_template", None, _template_identity(wanted_template)))
        else:
            for key in ("id", "name"):
                if key in wanted_template and wanted_template[key] != current_template.get(key):
                    changes.append((f"launch_template.{key}", current_template.get(key), wanted_template[key]))
    return changes


def _template_identity(template):
    return {key: template[key] for key in ("id", "name") if key in template}


def immutable_change_message(changes, cluster_name, nodegroup_name):
    details = "; ".join(f"{option} is {current!r}, wanted {wanted!r}" for option, current, wanted in changes)
    return (
        f"nodegroup {nodegroup_name} in cluster {cluster_name} cannot change in place: {details}. "
        f"AWS sets these only when a nodegroup is created: {REPLACEMENT_ADVICE}. Nothing was changed."
    )


def compare_labels(current, wanted):
    """``(to_set, to_unset)``: labels to add or update, keys to remove; wanted None manages nothing."""
    if wanted is None:
        return {}, []
    current = current or {}
    to_set = {key: value for key, value in wanted.items() if current.get(key) != value}
    to_unset = sorted(key for key in current if key not in wanted)
    return to_set, to_unset


def compare_taints(current, wanted):
    """``(to_set, to_unset)`` taints; a taint is identified by key and effect, as Kubernetes does."""
    if wanted is None:
        return [], []
    current_by_id = {
        (taint["key"], taint["effect"]): _taint(taint["key"], taint.get("value"), taint["effect"])
        for taint in current or []
    }
    wanted_by_id = {
        (taint["key"], taint["effect"]): _taint(taint["key"], taint.get("value"), taint["effect"]) for taint in wanted
    }
    to_set = [taint for identity, taint in wanted_by_id.items() if current_by_id.get(identity) != taint]
    to_unset = [taint for identity, taint in current_by_id.items() if identity not in wanted_by_id]
    return to_set, to_unset


def _taints_by_identity(taints):
    return {
        (taint["key"], taint["effect"]): _taint(taint["key"], taint.get("value"), taint["effect"]) for taint in taints
    }


def compare_scaling(current, wanted, policy):
    """The whole scalingConfig to send, or ``{}``.

    With ``policy`` initial the desired size belongs to the cluster autoscaler: it is only moved
    when the new minimum or maximum leaves it outside the range (AWS rejects such a config).
    """
    if not wanted:
        return {}
    current = current or {}
    low, high = wanted["min_size"], wanted["max_size"]
    desired = wanted["desired_size"]
    if policy == "initial":  # keep the autoscaler's choice, clamped into the new range
        desired = min(max(current.get("desiredSize", low), low), high)
    config = {"minSize": low, "maxSize": high, "desiredSize": desired}
    return {} if all(current.get(key) == value for key, value in config.items()) else config


def compare_update_config(current, wanted):
    """The updateConfig to send, or ``{}``; AWS keeps exactly one of the two limits."""
    if not wanted:
        return {}
    current = {key: (current or {}).get(key) for _option, key in UPDATE_CONFIG_KEYS}
    current = {key: value for key, value in current.items() if value is not None}
    return {} if current == wanted else dict(wanted)


def config_changes(nodegroup, params):
    """UpdateNodegroupConfig keyword arguments (without the names), or ``{}``."""
    changes = {}
    to_set, to_unset = compare_labels(nodegroup.get("labels"), wanted_labels(params))
    labels = {"addOrUpdateLabels": to_set, "removeLabels": to_unset}
    if to_set or to_unset:
        changes["labels"] = {key: value for key, value in labels.items() if value}
    to_set, to_unset = compare_taints(nodegroup.get("taints"), wanted_taints(params))
    if to_set or to_unset:
        taints = {"addOrUpdateTaints": to_set, "removeTaints": to_unset}
        changes["taints"] = {key: value for key, value in taints.items() if value}
    scaling = compare_scaling(nodegroup.get("scalingConfig"), params.get("scaling"), params["desired_size_policy"])
    if scaling:
        changes["scalingConfig"] = scaling
    update_config = compare_update_config(nodegroup.get("updateConfig"), wanted_update_config(params))
    if update_config:
        changes["updateConfig"] = update_config
    return changes


def version_changes(nodegroup, params):
    """UpdateNodegroupVersion keyword arguments (without the names), or ``{}``.

    Without a version AWS moves the nodegroup to the cluster's version and newest AMI, so an
    update for one of version, release version or launch template version pins the others to
    their current values (except for CUSTOM AMIs, whose launch template decides).
    """
    version, release = params.get("version"), params.get("release_version")
    template = wanted_launch_template(params) or {}
    current_template = nodegroup.get("launchTemplate") or {}
    version_differs = bool(version) and version != nodegroup.get("version")
    release_differs = bool(release) and release != nodegroup.get("releaseVersion")
    template_differs = "version" in template and template["version"] != current_template.get("version")
    if not (version_differs or release_differs or template_differs):
        return {}

    changes = {}
    if template_differs:
        identity = {"id": current_template["id"]} if current_template.get("id") else {"name": current_template["name"]}
        changes["launchTemplate"] = dict(identity, version=template["version"])
    if nodegroup.get("amiType") != "CUSTOM":
        changes["version"] = version or nodegroup.get("version")
        if release_differs:
            changes["releaseVersion"] = release
        elif not version_differs and nodegroup.get("releaseVersion"):
            changes["releaseVersion"] = nodegroup["releaseVersion"]
    return changes


def tag_changes(nodegroup, params):
    """``(to_set, to_unset)`` like compare_aws_tags; tags None manages nothing."""
    if params.get("tags") is None:
        return {}, []
    return compare_aws_tags(nodegroup.get("tags") or {}, params["tags"], params["purge_tags"])


# ---- predicted state and diff -------------------------------------------------------------------


def predict(nodegroup, config, version, tags_to_set, tags_to_unset):
    """The DescribeNodegroup answer after the changes, as far as the request determines it."""
    after = copy.deepcopy(nodegroup)
    labels = config.get("labels", {})
    if labels:
        merged = dict(after.get("labels") or {}, **labels.get("addOrUpdateLabels", {}))
        after["labels"] = {key: value for key, value in merged.items() if key not in labels.get("removeLabels", [])}
    taints = config.get("taints", {})
    if taints:
        changed = {
            (taint["key"], taint["effect"])
            for taint in taints.get("addOrUpdateTaints", []) + taints.get("removeTaints", [])
        }
        kept = [taint for taint in after.get("taints") or [] if (taint["key"], taint["effect"]) not in changed]
        after["taints"] = kept + taints.get("addOrUpdateTaints", [])
    if "scalingConfig" in config:
        after["scalingConfig"] = dict(config["scalingConfig"])
    if "updateConfig" in config:
        after["updateConfig"] = dict(config["updateConfig"])
    if "launchTemplate" in version:
        after["launchTemplate"] = dict(after["launchTemplate"], version=version["launchTemplate"]["version"])
    for key in ("version", "releaseVersion"):
        if key in version:
            after[key] = version[key]
    if "version" in version and "releaseVersion" not in version:
        after.pop("releaseVersion", None)  # AWS picks the newest AMI release of the new version
    if tags_to_set or tags_to_unset:
        merged = dict(after.get("tags") or {}, **tags_to_set)
        after["tags"] = {key: value for key, value in merged.items() if key not in tags_to_unset}
    return after


def nodegroup_view(nodegroup):
    """The settings this module manages, snake_cased with sorted keys and lists, for the diff."""
    if not nodegroup:
        return {}
    scaling = nodegroup.get("scalingConfig") or {}
    template = nodegroup.get("launchTemplate")
    update_config = nodegroup.get("updateConfig") or {}
    taints = sorted(nodegroup.get("taints") or [], key=lambda taint: (taint["key"], taint["effect"]))
    view = {
        "ami_type": nodegroup.get("amiType"),
        "capacity_type": nodegroup.get("capacityType"),
        "disk_size": nodegroup.get("diskSize"),
        "instance_types": nodegroup.get("instanceTypes"),
        "labels": dict(sorted((nodegroup.get("labels") or {}).items())),
        "launch_template": dict(sorted(template.items())) if template else None,
        "node_role_arn": nodegroup.get("nodeRole"),
        "release_version": nodegroup.get("releaseVersion"),
        "scaling": {
            "desired_size": scaling.get("desiredSize"),
            "max_size": scaling.get("maxSize"),
            "min_size": scaling.get("minSize"),
        },
        "subnet_ids": sorted(nodegroup.get("subnets") or []),
        "tags": dict(sorted((nodegroup.get("tags") or {}).items())),
        "taints": [dict(sorted(taint.items())) for taint in taints],
        "update_config": {
            option: update_config[key] for option, key in UPDATE_CONFIG_KEYS if update_config.get(key) is not None
        },
        "version": nodegroup.get("version"),
    }
    return dict(sorted(view.items()))


# ---- AWS calls -----------------------------------------------------------------------------------


class EKSNodegroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEKSNodegroupError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@EKSNodegroupErrorHandler.list_error_handler("describe nodegroup")
def describe_nodegroup(client, cluster_name, nodegroup_name):
    """The nodegroup as DescribeNodegroup answers it, or None when it (or its cluster) does not exist."""
    return client.describe_nodegroup(clusterName=cluster_name, nodegroupName=nodegroup_name, aws_retry=True)[
        "nodegroup"
    ]


@EKSNodegroupErrorHandler.common_error_handler("create nodegroup")
def create_nodegroup(client, request):
    return client.create_nodegroup(**request, aws_retry=True)["nodegroup"]


@EKSNodegroupErrorHandler.common_error_handler("update nodegroup config")
def update_nodegroup_config(client, cluster_name, nodegroup_name, changes):
    """Start one UpdateNodegroupConfig; returns the Update."""
    return client.update_nodegroup_config(
        clusterName=cluster_name, nodegroupName=nodegroup_name, **changes, aws_retry=True
    )["update"]


@EKSNodegroupErrorHandler.common_error_handler("update nodegroup version")
def update_nodegroup_version(client, cluster_name, nodegroup_name, changes):
    """Start one UpdateNodegroupVersion; returns the Update."""
    return client.update_nodegroup_version(
        clusterName=cluster_name, nodegroupName=nodegroup_name, **changes, aws_retry=True
    )["update"]


@EKSNodegroupErrorHandler.common_error_handler("wait for nodegroup update")
def wait_for_update(client, cluster_name, nodegroup_name, update_id, timeout, delay=15):
    """Poll DescribeUpdate until the update is Successful; raise when it fails or time runs out."""
    deadline = time.monotonic() + timeout
    pauses = poll_pauses(delay)
    while True:
        update = client.describe_update(
            name=cluster_name, nodegroupName=nodegroup_name, updateId=update_id, aws_retry=True
        )["update"]
        if update["status"] == "Successful":
            return update
        if update["status"] in ("Failed", "Cancelled"):
            errors = "; ".join(
                f"{error.get('errorCode')}: {error.get('errorMessage')}" for error in update.get("errors") or []
            )
            raise AnsibleEKSNodegroupError(
                message=f"Update {update_id} ended {update['status']}: {errors or 'no details'}"
            )
        pause = next(pauses)
        if time.monotonic() + pause > deadline:
            raise AnsibleEKSNodegroupError(
                message=f"Update {update_id} still {update['status']} after {timeout} seconds (wait_timeout)"
            )
        time.sleep(pause)


@EKSNodegroupErrorHandler.common_error_handler("wait for the nodegroup to become ACTIVE")
def wait_nodegroup_active(client, cluster_name, nodegroup_name, timeout, delay=20):
    wait_fast_first(
        client.get_waiter("nodegroup_active"), timeout, delay, clusterName=cluster_name, nodegroupName=nodegroup_name
    )


@EKSNodegroupErrorHandler.common_error_handler("wait for the nodegroup to be deleted")
def wait_nodegroup_deleted(client, cluster_name, nodegroup_name, timeout, delay=20):
    wait_fast_first(
        client.get_waiter("nodegroup_deleted"), timeout, delay, clusterName=cluster_name, nodegroupName=nodegroup_name
    )


@EKSNodegroupErrorHandler.deletion_error_handler("delete nodegroup")
def delete_nodegroup(client, cluster_name, nodegroup_name):
    client.delete_nodegroup(clusterName=cluster_name, nodegroupName=nodegroup_name, aws_retry=True)
    return True


@EKSNodegroupErrorHandler.common_error_handler("tag nodegroup")
def tag_nodegroup(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags, aws_retry=True)


@EKSNodegroupErrorHandler.common_error_handler("untag nodegroup")
def untag_nodegroup(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys), aws_retry=True)
