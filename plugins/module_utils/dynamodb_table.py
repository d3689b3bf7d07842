# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The DynamoDB tables the platform owns (the run locks, the deploy history), created on first use.

On-demand capacity (no throughput to size), the tags the platform puts on everything, and optionally a
TTL attribute. Two runs that both find no table race on CreateTable: the loser's ResourceInUseException
means the table is there, and both wait until it is ACTIVE
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html). Callers wrap this
in their own error handler, so a failure names their table and purpose.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list


def create_owned_table(client, table, keys, tags, ttl_attribute=None):
    """Create ``table`` keyed by ``keys`` (``[(name, "S"|"N"), ...]``: the hash key, then the range key).

    Waits until the table exists; sets ``ttl_attribute`` as its time-to-live attribute when given.
    """
    kwargs = {"Tags": ansible_dict_to_boto3_tag_list(tags)} if tags else {}
    try:
        client.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": kind} for name, kind in keys],
            KeySchema=[
                {"AttributeName": name, "KeyType": "HASH" if index == 0 else "RANGE"}
                for index, (name, _kind) in enumerate(keys)
            ],
            BillingMode="PAY_PER_REQUEST",
            aws_retry=True,
            **kwargs,
        )
    except is_boto3_error_code("ResourceInUseException"):  # another run created it first
        pass
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    if ttl_attribute:
        client.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}, aws_retry=True
        )
