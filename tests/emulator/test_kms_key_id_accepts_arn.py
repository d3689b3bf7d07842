"""emulator.fixes.kms_key_id_accepts_arn, over HTTP."""

import pytest
from botocore.exceptions import ClientError


def test_key_state_calls_accept_the_key_arn(aws, clean_emulator):
    kms = aws("kms")
    key = kms.create_key(Description="probe")["KeyMetadata"]

    def state():
        return kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]

    kms.disable_key(KeyId=key["Arn"])
    assert state() == "Disabled"
    kms.enable_key(KeyId=key["Arn"])
    assert state() == "Enabled"
    kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
    assert state() == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key["Arn"])
    assert state() == "Disabled"


def test_bare_moto_fails_key_state_calls_given_the_key_arn(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto accepts the key ARN as KeyId itself
    now: the fix can go."""
    kms = bare_moto("kms")
    key = kms.create_key(Description="marker")["KeyMetadata"]
    for call in (
        lambda: kms.disable_key(KeyId=key["Arn"]),
        lambda: kms.enable_key(KeyId=key["Arn"]),
        lambda: kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7),
        lambda: kms.cancel_key_deletion(KeyId=key["Arn"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500  # moto's KeyError
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
