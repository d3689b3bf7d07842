"""Read the CI identity back from IAM with boto3 through the endpoint, for the ci_identity scenario.

    iam.py describe ROLE_PREFIX    JSON: {"provider": {...} or null, "roles": {name: {...}}}

Each role: arn, trust (the assume-role policy), tags, inline ({policy name: document}), attached (ARNs).
Connection from the environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION.
"""

import json
import sys

import boto3

ISSUER = "token.actions.githubusercontent.com"


def provider(iam):
    for entry in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if entry["Arn"].endswith(":oidc-provider/" + ISSUER):
            found = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=entry["Arn"])
            return {
                "arn": entry["Arn"],
                "url": found["Url"],
                "client_ids": found["ClientIDList"],
                "thumbprints": found.get("ThumbprintList", []),
                "tags": {t["Key"]: t["Value"] for t in found.get("Tags", [])},
            }
    return None


def roles(iam, prefix):
    found = {}
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            if not name.startswith(prefix):
                continue
            inline = {
                policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
            }
            attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            tags = iam.list_role_tags(RoleName=name)["Tags"]
            found[name] = {
                "arn": role["Arn"],
                "trust": role["AssumeRolePolicyDocument"],
                "tags": {t["Key"]: t["Value"] for t in tags},
                "inline": inline,
                "attached": [p["PolicyArn"] for p in attached],
            }
    return found


def main(argv):
    if len(argv) != 2 or argv[0] != "describe":
        raise SystemExit(__doc__)
    iam = boto3.client("iam")
    print(json.dumps({"provider": provider(iam), "roles": roles(iam, argv[1])}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
