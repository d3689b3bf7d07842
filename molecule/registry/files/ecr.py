"""Read ECR back (or push a stand-in image) with boto3 through the endpoint, for the registry scenario.

    ecr.py describe NAME...        JSON: {name: {repository, lifecycle_policy, tags, image_count}}
    ecr.py put-image NAME TAG      push a one-manifest image, as the build would

Connection from the environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION.
"""

import hashlib
import json
import sys

import boto3


def describe(ecr, names):
    found = {}
    for name in names:
        try:
            repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
        except ecr.exceptions.RepositoryNotFoundException:
            continue
        try:
            policy = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            policy = None
        tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
        found[name] = {
            "repository": {k: v for k, v in repository.items() if k != "createdAt"},
            "lifecycle_policy": policy,
            "tags": {t["Key"]: t["Value"] for t in tags},
            "image_count": len(ecr.describe_images(repositoryName=name)["imageDetails"]),
        }
    return found


def put_image(ecr, name, tag):
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers"}})
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + hashlib.sha256(config.encode()).hexdigest(),
                "size": len(config),
            },
            "layers": [],
        }
    )
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag=tag, imageDigest=digest)
    return {"digest": digest}


def main(argv):
    ecr = boto3.client("ecr")
    if argv[0] == "describe":
        result = describe(ecr, argv[1:])
    elif argv[0] == "put-image":
        result = put_image(ecr, argv[1], argv[2])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
