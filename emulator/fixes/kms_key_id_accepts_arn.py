"""KMS ScheduleKeyDeletion, CancelKeyDeletion, EnableKey, DisableKey: accept the key ARN as KeyId.

moto looks the KeyId up verbatim in its key table, so a key ARN (what most tools pass, amazon.aws
kms_key among them) fails with a 500 KeyError. AWS documents KeyId for these calls as "the key ID or
key ARN of the KMS key":
https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html

The fix turns an ARN into the key id before moto's own code runs.
"""

from moto.kms.models import KmsBackend


def _accept_arn(method):
    if getattr(method, "_teamf_fixed", False):
        return method

    def wrapper(self, key_id, *args, **kwargs):
        return method(self, self.get_key_id(key_id), *args, **kwargs)

    wrapper._teamf_fixed = True
    return wrapper


def apply() -> None:
    KmsBackend.schedule_key_deletion = _accept_arn(KmsBackend.schedule_key_deletion)
    KmsBackend.cancel_key_deletion = _accept_arn(KmsBackend.cancel_key_deletion)
    KmsBackend.enable_key = _accept_arn(KmsBackend.enable_key)
    KmsBackend.disable_key = _accept_arn(KmsBackend.disable_key)
