"""emulator.fixes.kms_key_id_accepts_arn, over HTTP."""


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
