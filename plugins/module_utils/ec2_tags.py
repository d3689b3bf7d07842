# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2's CreateTags and DeleteTags for one resource, shared by the EC2 set modules.

Each module wraps them in its own error handler (``Handler.common_error_handler("tag subnet")(create_tags)``)
so a failure names the resource kind it was about.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list


def create_tags(client, resource_id, tags):
    """Set ``tags`` (a dict) on ``resource_id``; other tags stay."""
    client.create_tags(Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True)


def delete_tags(client, resource_id, keys):
    """Remove the tags named in ``keys`` from ``resource_id``, whatever their values."""
    client.delete_tags(Resources=[resource_id], Tags=[{"Key": key} for key in keys], aws_retry=True)
