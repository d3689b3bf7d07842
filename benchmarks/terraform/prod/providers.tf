# Every service the estate touches goes to one endpoint (the emulator), with the emulator's fixed
# test credentials; nothing here is an emulator special case beyond the endpoint and the skips.
provider "aws" {
  region     = var.region
  access_key = "testing"
  secret_key = "testing"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # Not skip_requesting_account_id: without the account id the provider reads every rule that
  # references a group of the same account as "<account>/sg-..." and plans an update on each run.

  endpoints {
    ec2 = var.endpoint
    ecr = var.endpoint
    eks = var.endpoint
    iam = var.endpoint
    kms = var.endpoint
    sts = var.endpoint
  }

  default_tags {
    tags = var.tags
  }
}
