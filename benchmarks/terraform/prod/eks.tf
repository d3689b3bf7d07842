# roles/eks: KMS key for secrets encryption, the cluster (logging, encryption, API access entries),
# the IRSA policies, the cluster's OIDC provider, the IRSA roles, the access entries and the add-ons.
resource "aws_kms_key" "eks_secrets" {
  description         = "Secrets encryption for EKS cluster ${local.cluster_name}"
  enable_key_rotation = true
  tags                = local.env_tags
}

resource "aws_kms_alias" "eks_secrets" {
  name          = "alias/${local.cluster_name}-eks-secrets"
  target_key_id = aws_kms_key.eks_secrets.key_id
}

resource "aws_eks_cluster" "this" {
  name     = local.cluster_name
  version  = var.eks_version
  role_arn = aws_iam_role.service["eks-cluster"].arn

  vpc_config {
    subnet_ids              = [for key, subnet in aws_subnet.this : subnet.id if local.subnets[key].tier == "private-app"]
    endpoint_public_access  = true
    endpoint_private_access = true
    public_access_cidrs     = ["0.0.0.0/0"]
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks_secrets.arn
    }
  }

  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  tags = local.env_tags

  depends_on = [aws_iam_role_policy_attachment.service]
}

# eks_irsa_roles (inventories/shared/group_vars/eks_environments.yml)
locals {
  irsa_roles = {
    "aws-load-balancer-controller" = {
      namespace        = "kube-system"
      service_account  = "aws-load-balancer-controller"
      policy           = "aws_load_balancer_controller"
      managed_policies = []
    }
    "aws-for-fluent-bit" = {
      namespace        = "amazon-cloudwatch"
      service_account  = "aws-for-fluent-bit"
      policy           = null
      managed_policies = ["arn:${local.partition}:iam::aws:policy/CloudWatchAgentServerPolicy"]
    }
  }
  irsa_policies = { for name, role in local.irsa_roles : name => role.policy if role.policy != null }
  irsa_attachments = merge(
    { for name, policy in local.irsa_policies : "${name}/${policy}" => { role = name, arn = aws_iam_policy.irsa[name].arn } },
    merge([for name, role in local.irsa_roles : { for arn in role.managed_policies : "${name}/${arn}" => { role = name, arn = arn } }]...),
  )
  oidc_issuer = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

resource "aws_iam_policy" "irsa" {
  for_each = local.irsa_policies

  name        = "${local.cluster_name}-${each.key}"
  description = "${each.key} in EKS cluster ${local.cluster_name}"
  policy = templatefile("${path.module}/policies/${each.value}.json.tftpl", {
    cluster_tag  = "elbv2.k8s.aws/cluster"
    cluster_name = local.cluster_name
    partition    = local.partition
    region       = var.region
    elb          = "arn:${local.partition}:elasticloadbalancing:${var.region}:*:"
  })
  tags = local.env_tags
}

resource "aws_iam_openid_connect_provider" "eks" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  tags           = merge(local.env_tags, { "eks-cluster" = local.cluster_name })
}

data "aws_iam_policy_document" "irsa_trust" {
  for_each = local.irsa_roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa_roles

  name               = "${local.cluster_name}-${each.key}"
  description        = "${each.value.namespace}/${each.value.service_account} in EKS cluster ${local.cluster_name}"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust[each.key].json
  tags               = local.env_tags
}

resource "aws_iam_role_policy_attachment" "irsa" {
  for_each = local.irsa_attachments

  role       = aws_iam_role.irsa[each.value.role].name
  policy_arn = each.value.arn
}

# eks_access_entries: the developers' role mapped to teamf:developers (RBAC decides, no access policy),
# and the CI deploy role with edit rights in the backend's namespace.
resource "aws_eks_access_entry" "developers" {
  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = var.developers_principal_arn
  kubernetes_groups = ["teamf:developers"]
  tags              = local.env_tags
}

resource "aws_eks_access_entry" "ci_deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_iam_role.ci_deploy.arn
  tags          = local.env_tags
}

resource "aws_eks_access_policy_association" "ci_deploy" {
  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.ci_deploy.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = ["teamf"]
  }
}

# eks_addons (roles/eks defaults): each at the default version for the cluster's Kubernetes version,
# after the nodes they schedule on (site.yml converges them after the nodegroups).
data "aws_eks_addon_version" "this" {
  for_each = toset(["vpc-cni", "kube-proxy", "coredns"])

  addon_name         = each.key
  kubernetes_version = aws_eks_cluster.this.version
}

resource "aws_eks_addon" "this" {
  for_each = data.aws_eks_addon_version.this

  cluster_name  = aws_eks_cluster.this.name
  addon_name    = each.key
  addon_version = each.value.version
  tags          = local.env_tags

  depends_on = [aws_eks_node_group.this]
}
