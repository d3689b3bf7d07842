# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EKS calls and compare helpers for the eks_cluster, eks_addon and eks_access_entry modules.

``client`` is ``PlatformAWSModule.client("eks")`` (module_utils/retries.py): single calls pass
``aws_retry=True``, waiters retry each poll, paginated listings retry as a whole (``@retry_listing``).
AWS errors are raised as AnsibleEKSError for the module to report once; input that AWS would refuse
(or that it cannot apply) is refused earlier with EKSConfigError, whose message names the option.

The compare helpers are pure: they take what AWS describes and what the module was asked for and
return what to send, so they are unit-tested without AWS.
"""

from __future__ import annotations

import json
import re
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.retries import poll_pauses, retry_listing, wait_fast_first

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
AUTHENTICATION_MODES = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
NODE_ACCESS_ENTRY_TYPES = ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "HYPERPOD_LINUX", "EC2")
ACCESS_ENTRY_TYPES = ("STANDARD", *NODE_ACCESS_ENTRY_TYPES)
ACCESS_POLICY_ARN = "arn:{partition}:eks::aws:cluster-access-policy/{name}"
UPDATE_POLL_SECONDS = 10


class AnsibleEKSError(AnsibleAWSError):
    pass


class EKSConfigError(ValueError):
    """What was asked for cannot be done; the message names the option and what to do instead."""


class EKSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEKSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# ---- versions ---------------------------------------------------------------------------------


def kubernetes_minor(version):
    """``"1.32"`` -> ``(1, 32)``; None for anything else."""
    match = re.fullmatch(r"(\d+)\.(\d+)", str(version or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def version_upgrade(current, wanted):
    """The version to upgrade the control plane to, or None; EKSConfigError for what AWS refuses.

    AWS upgrades one minor version per UpdateClusterVersion and never downgrades.
    """
    if wanted is None or wanted == current:
        return None
    have, want = kubernetes_minor(current), kubernetes_minor(wanted)
    if have and want and want == (have[0], have[1] + 1):
        return wanted
    direction = "downgrade" if have and want and want < have else "upgrade"
    raise EKSConfigError(
        f"version: cannot {direction} the cluster from {current} to {wanted}; EKS only upgrades the control "
        "plane one minor version at a time (step one minor at a time, one run per minor version)"
    )


def version_sort_key(version):
    """Numeric sort key of an add-on version such as ``v1.19.2-eksbuild.1``."""
    return tuple(int(number) for number in re.findall(r"\d+", version or ""))


# ---- cluster ----------------------------------------------------------------------------------


def enabled_log_types(cluster):
    """Sorted enabled control plane log types of a described cluster."""
    enabled = set()
    for group in (cluster.get("logging") or {}).get("clusterLogging") or []:
        for log_type in group.get("types") or []:
            if group.get("enabled"):
                enabled.add(log_type)
            else:
                enabled.discard(log_type)
    return sorted(enabled)


def logging_request(enabled):
    """The ``logging`` request structure enabling exactly ``enabled`` and disabling the other types."""
    groups = []
    on = [t for t in LOG_TYPES if t in enabled]
    off = [t for t in LOG_TYPES if t not in enabled]
    if on:
        groups.append({"types": on, "enabled": True})
    if off:
        groups.append({"types": off, "enabled": False})
    return {"clusterLogging": groups}


def secrets_key_arn(cluster):
    """The KMS key ARN that encrypts the cluster's secrets, or None."""
    for config in cluster.get("encryptionConfig") or []:
        if "secrets" in (config.get("resources") or []):
            return (config.get("provider") or {}).get("keyArn")
    return None


def encryption_request(key_arn):
    return [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]


def cluster_fields(cluster):
    """The settings eks_cluster manages, from a DescribeCluster answer (the diff's before)."""
    if not cluster:
        return {}
    vpc = cluster.get("resourcesVpcConfig") or {}
    access = cluster.get("accessConfig") or {}
    return {
        "version": cluster.get("version"),
        "role_arn": cluster.get("roleArn"),
        "subnet_ids": sorted(vpc.get("subnetIds") or []),
        "security_group_ids": sorted(vpc.get("securityGroupIds") or []),
        "endpoint_public_access": vpc.get("endpointPublicAccess"),
        "endpoint_private_access": vpc.get("endpointPrivateAccess"),
        "public_access_cidrs": sorted(vpc.get("publicAccessCidrs") or []),
        "logging": enabled_log_types(cluster),
        "encryption_kms_key_arn": secrets_key_arn(cluster),
        "authentication_mode": access.get("authenticationMode", "CONFIG_MAP"),
        "tags": dict(sorted((cluster.get("tags") or {}).items())),
    }


def wanted_cluster_fields(params, current):
    """The managed settings after the run: what ``params`` asks for, the rest as ``current`` has them."""
    wanted = dict(current)
    for option in ("version", "role_arn", "encryption_kms_key_arn"):
        if params.get(option) is not None and (option != "role_arn" or not current):
            wanted[option] = params[option]
    for option in ("subnet_ids", "security_group_ids", "public_access_cidrs", "logging"):
        if params.get(option) is not None:
            wanted[option] = sorted(params[option])
    for option in ("endpoint_public_access", "endpoint_private_access", "authentication_mode"):
        if params.get(option) is not None:
            wanted[option] = params[option]
    if not wanted.get("endpoint_public_access") and current:
        # AWS keeps (and reports) the CIDRs of a disabled public endpoint; they are not compared.
        wanted["public_access_cidrs"] = current.get("public_access_cidrs", wanted.get("public_access_cidrs"))
    if params.get("tags") is not None:
        tags = {} if params.get("purge_tags", True) else dict(current.get("tags") or {})
        tags.update(params["tags"])
        wanted["tags"] = dict(sorted(tags.items()))
    return wanted


def authentication_mode_steps(current, wanted):
    """The UpdateClusterConfig modes to go through, in order; AWS only moves forward, one step a time."""
    if wanted is None or wanted == current:
        return []
    have, want = AUTHENTICATION_MODES.index(current), AUTHENTICATION_MODES.index(wanted)
    if want < have:
        raise EKSConfigError(
            f"authentication_mode: cannot change from {current} to {wanted}; EKS only moves the authentication "
            f"mode forward ({' -> '.join(AUTHENTICATION_MODES)}), so a cluster never goes back to {wanted}"
        )
    return list(AUTHENTICATION_MODES[have + 1 : want + 1])


def plan_cluster_updates(cluster, params):
    """The cluster updates needed, as ``(update type, update_cluster_* kwargs)`` in the order to apply them.

    Tags are not updates (TagResource is immediate) and are compared separately. EKSConfigError when
    a requested change is one AWS cannot make.
    """
    current = cluster_fields(cluster)
    vpc = cluster.get("resourcesVpcConfig") or {}
    updates = []

    vpc_changes = {}
    for option, key in (("subnet_ids", "subnetIds"), ("security_group_ids", "securityGroupIds")):
        if params.get(option) is not None and sorted(params[option]) != current[option]:
            vpc_changes[key] = list(params[option])
    if vpc_changes:
        updates.append(("VpcConfigUpdate", {"resourcesVpcConfig": vpc_changes}))

    public = params.get("endpoint_public_access")
    private = params.get("endpoint_private_access")
    cidrs = params.get("public_access_cidrs")
    public = current["endpoint_public_access"] if public is None else public
    private = current["endpoint_private_access"] if private is None else private
    cidrs_changed = public and cidrs is not None and sorted(cidrs) != current["public_access_cidrs"]
    if public != vpc.get("endpointPublicAccess") or private != vpc.get("endpointPrivateAccess") or cidrs_changed:
        if not public and not private:
            raise EKSConfigError(
                "endpoint_public_access, endpoint_private_access: at least one of the endpoints must be enabled"
            )
        endpoint = {"endpointPublicAccess": public, "endpointPrivateAccess": private}
        if public and cidrs is not None:
            endpoint["publicAccessCidrs"] = list(cidrs)
        updates.append(("EndpointAccessUpdate", {"resourcesVpcConfig": endpoint}))

    if params.get("logging") is not None and sorted(params["logging"]) != current["logging"]:
        updates.append(("LoggingUpdate", {"logging": logging_request(params["logging"])}))

    for mode in authentication_mode_steps(current["authentication_mode"], params.get("authentication_mode")):
        updates.append(("AccessConfigUpdate", {"accessConfig": {"authenticationMode": mode}}))

    key_arn = params.get("encryption_kms_key_arn")
    if key_arn and key_arn != current["encryption_kms_key_arn"]:
        if current["encryption_kms_key_arn"]:
            in_use = current["encryption_kms_key_arn"]
            raise EKSConfigError(
                f"encryption_kms_key_arn: the cluster's secrets are encrypted with {in_use}; "
                f"AWS cannot change or remove the key of an encrypted cluster, so {key_arn} cannot be used"
            )
        updates.append(("AssociateEncryptionConfig", {"encryptionConfig": encryption_request(key_arn)}))

    version = version_upgrade(current["version"], params.get("version"))
    if version:
        updates.append(("VersionUpdate", {"version": version}))
    return updates


def create_cluster_request(params):
    """CreateCluster kwargs from the module's options."""
    vpc = {
        "subnetIds": list(params["subnet_ids"]),
        "securityGroupIds": list(params["security_group_ids"] or []),
        "endpointPublicAccess": params["endpoint_public_access"],
        "endpointPrivateAccess": params["endpoint_private_access"],
    }
    if params["endpoint_public_access"]:
        vpc["publicAccessCidrs"] = list(params["public_access_cidrs"])
    request = {
        "name": params["name"],
        "version": params["version"],
        "roleArn": params["role_arn"],
        "resourcesVpcConfig": vpc,
        "logging": logging_request(params["logging"] or []),
        "accessConfig": {
            "authenticationMode": params["authentication_mode"],
            "bootstrapClusterCreatorAdminPermissions": params["bootstrap_cluster_creator_admin"],
        },
    }
    if params.get("encryption_kms_key_arn"):
        request["encryptionConfig"] = encryption_request(params["encryption_kms_key_arn"])
    if params.get("tags"):
        request["tags"] = dict(params["tags"])
    return request


# ---- add-ons ----------------------------------------------------------------------------------


def addon_versions(addon_info, kubernetes_version):
    """``[(version, is_default)]`` of an AddonInfo compatible with ``kubernetes_version``, newest first."""
    versions = []
    for entry in (addon_info or {}).get("addonVersions") or []:
        for compatibility in entry.get("compatibilities") or []:
            if compatibility.get("clusterVersion") == kubernetes_version:
                versions.append((entry["addonVersion"], bool(compatibility.get("defaultVersion"))))
                break
    return sorted(versions, key=lambda item: version_sort_key(item[0]), reverse=True)


def resolve_addon_version(requested, versions, installed=None):
    """The add-on version to run: ``latest``, ``default`` or an explicit version from ``versions``.

    ``default`` never downgrades: an installed version newer than the default one stays.
    """
    names = [version for version, _ in versions]
    if requested == "latest":
        return names[0]
    if requested == "default":
        defaults = [version for version, is_default in versions if is_default] or names[:1]
        if installed in names and version_sort_key(installed) > version_sort_key(defaults[0]):
            return installed
        return defaults[0]
    if requested not in names:
        raise EKSConfigError(f"version: {requested} is not available; available versions: {', '.join(names)}")
    return requested


def parse_configuration_values(text):
    """An add-on's configurationValues (JSON, or YAML as AWS also accepts) as a dict; {} when unset."""
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        import yaml  # only for values someone set as YAML outside this module

        return yaml.safe_load(text) or {}


def configuration_json(values):
    """configurationValues as sent: canonical JSON."""
    return json.dumps(values, sort_keys=True)


def compare_addon(addon, version, configuration_values, service_account_role_arn):
    """UpdateAddon kwargs for what differs (without resolveConflicts), {} when nothing does."""
    changes = {}
    if version != addon.get("addonVersion"):
        changes["addonVersion"] = version
    current_values = parse_configuration_values(addon.get("configurationValues"))
    if configuration_values is not None and configuration_values != current_values:
        changes["configurationValues"] = configuration_json(configuration_values)
    if service_account_role_arn is not None and service_account_role_arn != (addon.get("serviceAccountRoleArn") or ""):
        changes["serviceAccountRoleArn"] = service_account_role_arn
    return changes


# ---- access entries ---------------------------------------------------------------------------


def arn_partition(arn):
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" else "aws"


def access_policy_arn(policy, partition="aws"):
    """A short access policy name (AmazonEKSClusterAdminPolicy) or an ARN -> the ARN."""
    if policy.startswith("arn:"):
        return policy
    return ACCESS_POLICY_ARN.format(partition=partition, name=policy)


def access_scope(scope):
    """Canonical access scope: type and sorted namespaces (an empty list for cluster scope)."""
    scope = scope or {}
    return {"type": scope.get("type") or "cluster", "namespaces": sorted(scope.get("namespaces") or [])}


def wanted_access_policies(access_policies, partition="aws"):
    """``{policy ARN: canonical scope}`` from the module's access_policies; EKSConfigError for bad scopes."""
    wanted = {}
    for index, entry in enumerate(access_policies or []):
        scope = access_scope(entry.get("access_scope"))
        where = f"access_policies[{index}].access_scope"
        if scope["type"] == "namespace" and not scope["namespaces"]:
            raise EKSConfigError(f"{where}.namespaces: a namespace scope needs at least one namespace")
        if scope["type"] == "cluster" and scope["namespaces"]:
            raise EKSConfigError(f"{where}.namespaces: must be empty for a cluster scope (or set type: namespace)")
        wanted[access_policy_arn(entry["policy"], partition)] = scope
    return wanted


def compare_access_policies(current, wanted, purge=True):
    """``(to_associate {arn: scope}, to_disassociate [arn])`` from ListAssociatedAccessPolicies and wanted."""
    have = {policy["policyArn"]: access_scope(policy.get("accessScope")) for policy in current or []}
    to_associate = {arn: scope for arn, scope in wanted.items() if have.get(arn) != scope}
    to_disassociate = sorted(arn for arn in have if arn not in wanted) if purge else []
    return to_associate, to_disassociate


def compare_access_entry(entry, kubernetes_groups, username):
    """UpdateAccessEntry kwargs for what differs, {} when nothing does."""
    changes = {}
    if kubernetes_groups is not None and sorted(kubernetes_groups) != sorted(entry.get("kubernetesGroups") or []):
        changes["kubernetesGroups"] = list(kubernetes_groups)
    if username is not None and username != entry.get("username"):
        changes["username"] = username
    return changes


# ---- AWS calls: clusters ----------------------------------------------------------------------


@EKSErrorHandler.list_error_handler("describe cluster")
def describe_cluster(client, name):
    return client.describe_cluster(name=name, aws_retry=True)["cluster"]


@EKSErrorHandler.common_error_handler("create cluster")
def create_cluster(client, request):
    return client.create_cluster(**request, aws_retry=True)["cluster"]


@EKSErrorHandler.deletion_error_handler("delete cluster")
def delete_cluster(client, name):
    client.delete_cluster(name=name, aws_retry=True)
    return True


# The options each kind of update changes, for error messages.
UPDATE_OPTIONS = {
    "VpcConfigUpdate": "subnet_ids, security_group_ids",
    "EndpointAccessUpdate": "endpoint_public_access, endpoint_private_access, public_access_cidrs",
    "LoggingUpdate": "logging",
    "AccessConfigUpdate": "authentication_mode",
    "AssociateEncryptionConfig": "encryption_kms_key_arn",
    "VersionUpdate": "version",
}


def start_cluster_update(client, name, update_type, kwargs):
    """Start one cluster update (an entry of plan_cluster_updates); returns AWS's Update."""

    @EKSErrorHandler.common_error_handler(f"update {UPDATE_OPTIONS[update_type]} ({update_type})")
    def start():
        if update_type == "VersionUpdate":
            return client.update_cluster_version(name=name, **kwargs, aws_retry=True)["update"]
        if update_type == "AssociateEncryptionConfig":
            return client.associate_encryption_config(clusterName=name, **kwargs, aws_retry=True)["update"]
        return client.update_cluster_config(name=name, **kwargs, aws_retry=True)["update"]

    return start()


@EKSErrorHandler.common_error_handler("wait for the cluster")
def wait_cluster(client, name, state, timeout):
    """Wait for ``state`` ``active`` or ``deleted`` (boto3's ClusterActive / ClusterDeleted waiters)."""
    delay = 20
    wait_fast_first(client.get_waiter(f"cluster_{state}"), timeout, delay, name=name)


def wait_update(client, cluster_name, update, timeout, addon_name=None):
    """Poll DescribeUpdate until the update is Successful; AnsibleEKSError when it fails or times out."""
    deadline = time.monotonic() + timeout
    pauses = poll_pauses(UPDATE_POLL_SECONDS)
    while True:
        if update["status"] == "Successful":
            return update
        if update["status"] in ("Failed", "Cancelled"):
            errors = "; ".join(
                f"{error.get('errorCode')}: {error.get('errorMessage')}" for error in update.get("errors") or []
            )
            raise AnsibleEKSError(
                message=f"{update['type']} {update['id']} of {cluster_name} {update['status']}: {errors}"
            )
        if time.monotonic() > deadline:
            raise AnsibleEKSError(message=f"Timeout waiting for {update['type']} {update['id']} of {cluster_name}")
        time.sleep(next(pauses))
        update = describe_update(client, cluster_name, update["id"], addon_name)


@EKSErrorHandler.common_error_handler("describe update")
def describe_update(client, cluster_name, update_id, addon_name=None):
    kwargs = {"addonName": addon_name} if addon_name else {}
    return client.describe_update(name=cluster_name, updateId=update_id, aws_retry=True, **kwargs)["update"]


@EKSErrorHandler.common_error_handler("tag resource")
def tag_resource(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=tags, aws_retry=True)


@EKSErrorHandler.common_error_handler("untag resource")
def untag_resource(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys), aws_retry=True)


# ---- AWS calls: add-ons -----------------------------------------------------------------------


@EKSErrorHandler.common_error_handler("describe add-on versions")
@retry_listing
def describe_addon_versions(client, kubernetes_version, name=None):
    kwargs = {"kubernetesVersion": kubernetes_version}
    if name:
        kwargs["addonName"] = name
    paginator = client.get_paginator("describe_addon_versions")
    return paginator.paginate(**kwargs).build_full_result()["addons"]


@EKSErrorHandler.list_error_handler("describe add-on")
def describe_addon(client, cluster_name, name):
    return client.describe_addon(clusterName=cluster_name, addonName=name, aws_retry=True)["addon"]


@EKSErrorHandler.common_error_handler("create add-on")
def create_addon(client, request):
    return client.create_addon(**request, aws_retry=True)["addon"]


@EKSErrorHandler.common_error_handler("update add-on")
def update_addon(client, cluster_name, name, changes):
    return client.update_addon(clusterName=cluster_name, addonName=name, **changes, aws_retry=True)["update"]


@EKSErrorHandler.deletion_error_handler("delete add-on")
def delete_addon(client, cluster_name, name):
    client.delete_addon(clusterName=cluster_name, addonName=name, aws_retry=True)
    return True


@EKSErrorHandler.common_error_handler("wait for the add-on")
def wait_addon(client, cluster_name, name, state, timeout):
    """Wait for ``state`` ``active`` or ``deleted`` (boto3's AddonActive / AddonDeleted waiters)."""
    delay = 10
    wait_fast_first(client.get_waiter(f"addon_{state}"), timeout, delay, clusterName=cluster_name, addonName=name)


# ---- AWS calls: access entries ----------------------------------------------------------------


@EKSErrorHandler.list_error_handler("describe access entry")
def describe_access_entry(client, cluster_name, principal_arn):
    return client.describe_access_entry(clusterName=cluster_name, principalArn=principal_arn, aws_retry=True)[
        "accessEntry"
    ]


@EKSErrorHandler.list_error_handler("list associated access policies", [])
@retry_listing
def list_associated_access_policies(client, cluster_name, principal_arn):
    paginator = client.get_paginator("list_associated_access_policies")
    result = paginator.paginate(clusterName=cluster_name, principalArn=principal_arn).build_full_result()
    return result["associatedAccessPolicies"]


@EKSErrorHandler.common_error_handler("create access entry")
def create_access_entry(client, request):
    return client.create_access_entry(**request, aws_retry=True)["accessEntry"]


@EKSErrorHandler.common_error_handler("update access entry")
def update_access_entry(client, cluster_name, principal_arn, changes):
    return client.update_access_entry(clusterName=cluster_name, principalArn=principal_arn, **changes, aws_retry=True)[
        "accessEntry"
    ]


@EKSErrorHandler.deletion_error_handler("delete access entry")
def delete_access_entry(client, cluster_name, principal_arn):
    client.delete_access_entry(clusterName=cluster_name, principalArn=principal_arn, aws_retry=True)
    return True


@EKSErrorHandler.common_error_handler("associate access policy")
def associate_access_policy(client, cluster_name, principal_arn, policy_arn, scope):
    client.associate_access_policy(
        clusterName=cluster_name, principalArn=principal_arn, policyArn=policy_arn, accessScope=scope, aws_retry=True
    )


@EKSErrorHandler.deletion_error_handler("disassociate access policy")
def disassociate_access_policy(client, cluster_name, principal_arn, policy_arn):
    client.disassociate_access_policy(
        clusterName=cluster_name, principalArn=principal_arn, policyArn=policy_arn, aws_retry=True
    )
    return True
