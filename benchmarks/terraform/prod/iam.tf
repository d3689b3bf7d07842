# roles/iam with iam_role_kinds [eks_cluster, eks_nodegroup]: the AWS managed policies EKS documents.
locals {
  service_roles = {
    "eks-cluster" = {
      service     = "eks.amazonaws.com"
      description = "EKS control plane of ${var.environment}"
      policies    = ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"]
    }
    "eks-nodegroup" = {
      service     = "ec2.amazonaws.com"
      description = "EKS managed nodes of ${var.environment}"
      policies    = ["AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy", "AmazonEKSWorkerNodePolicy"]
    }
  }
  service_role_policies = merge([
    for role, spec in local.service_roles : { for policy in spec.policies : "${role}/${policy}" => { role = role, policy = policy } }
  ]...)
}

data "aws_iam_policy_document" "service_trust" {
  for_each = local.service_roles

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value.service]
    }
  }
}

resource "aws_iam_role" "service" {
  for_each = local.service_roles

  name               = "${local.env_name}-${each.key}"
  description        = each.value.description
  assume_role_policy = data.aws_iam_policy_document.service_trust[each.key].json
  tags               = local.env_tags
}

resource "aws_iam_role_policy_attachment" "service" {
  for_each = local.service_role_policies

  role       = aws_iam_role.service[each.value.role].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value.policy}"
}
