# The Terraform peer of `site.yml -i inventories/local --limit prod` (Helm releases excluded), for
# benchmarks/vs_terraform.py. A benchmark fixture, not product: the estate lives in roles/ and
# inventories/; this file set mirrors what they create so both tools build the same thing.
terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
