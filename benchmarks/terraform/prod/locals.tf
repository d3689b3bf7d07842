data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  env_name     = "${var.name}-${var.environment}" # vpc_name, iam_name_prefix, eks_cluster_name
  cluster_name = local.env_name
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition

  # vpc__base_tags, iam__base_tags, eks__base_tags, nodegroup__base_tags (platform_tags come from default_tags)
  env_tags = { Environment = var.environment, ManagedBy = "teamf.platform" }

  # vpc_tiers, laid out as the subnet_plan filter does: each tier reserves a block of 4 zone slots
  # (vpc_az_slots), first fit in tier order, so a zone added later never moves a subnet.
  tiers = {
    public         = { role = "public", block = cidrsubnet(var.vpc_cidr, 6, 0), newbits = 2, lb_role = "kubernetes.io/role/elb", cluster_tag = true }
    "private-app"  = { role = "private", block = cidrsubnet(var.vpc_cidr, 2, 1), newbits = 2, lb_role = "kubernetes.io/role/internal-elb", cluster_tag = true }
    "private-data" = { role = "private", block = cidrsubnet(var.vpc_cidr, 6, 1), newbits = 2, lb_role = null, cluster_tag = false }
  }
  zones = { for index, zone in var.zones : substr(zone, -1, 1) => { name = zone, index = index } }

  subnets = merge([
    for tier_name, tier in local.tiers : {
      for letter, zone in local.zones : "${tier_name}-${letter}" => {
        tier   = tier_name
        role   = tier.role
        zone   = zone.name
        letter = letter
        cidr   = cidrsubnet(tier.block, tier.newbits, zone.index)
        tags = merge(
          { Name = "${local.env_name}-${tier_name}-${letter}", Tier = tier_name },
          tier.lb_role == null ? {} : { (tier.lb_role) = "1" },
          tier.cluster_tag ? { "kubernetes.io/cluster/${local.cluster_name}" = "shared" } : {},
        )
      }
    }
  ]...)
  private_subnets = { for key, subnet in local.subnets : key => subnet if subnet.role == "private" }
  public_subnets  = { for key, subnet in local.subnets : key => subnet if subnet.role == "public" }
}
