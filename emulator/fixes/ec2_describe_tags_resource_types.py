"""EC2 DescribeTags: report and filter the resource types AWS documents.

moto names three resource types after its internal id-prefix table: ``vpc-elastic-ip``,
``nat-gateway`` and ``flow-logs``. AWS's DescribeTags returns (and accepts as the ``resource-type``
filter) ``elastic-ip``, ``natgateway`` and ``vpc-flow-log``:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TagDescription.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html

amazon.aws looks tags up by resource type, so with moto's names ec2_eip and ec2_vpc_nat_gateway see
no tags and re-apply them on every run (never idempotent). The fix translates both ways.
"""

from moto.ec2.models.tags import TagBackend

MOTO_TO_AWS = {
    "vpc-elastic-ip": "elastic-ip",
    "nat-gateway": "natgateway",
    "flow-logs": "vpc-flow-log",
}
AWS_TO_MOTO = {aws: moto for moto, aws in MOTO_TO_AWS.items()}


def apply() -> None:
    original = TagBackend.describe_tags
    if getattr(original, "_teamf_fixed", False):
        return

    def describe_tags(self, filters=None):
        if filters and "resource-type" in filters:
            filters = dict(filters)
            filters["resource-type"] = [AWS_TO_MOTO.get(t, t) for t in filters["resource-type"]]
        results = original(self, filters)
        for result in results:
            result["resource_type"] = MOTO_TO_AWS.get(result["resource_type"], result["resource_type"])
        return results

    describe_tags._teamf_fixed = True
    TagBackend.describe_tags = describe_tags
