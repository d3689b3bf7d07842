# roles/ci_identity: GitHub Actions' OIDC provider and the build role (once per account), and prod's
# deploy role (ci_identity_deploy_kind eks), each with its least-privilege inline policy.
locals {
  github_issuer  = "token.actions.githubusercontent.com"
  subject_prefix = "repo:${var.github_repository}:"
  ci_roles = {
    build = {
      name        = "${var.name}-ci-build"
      description = "GitHub Actions builds of ${var.github_repository} pushing to the platform's ECR repositories"
      subjects    = concat([for env in ["dev", "staging"] : "${local.subject_prefix}environment:${env}"], ["${local.subject_prefix}ref:refs/heads/main"])
      tags        = { ManagedBy = "teamf.platform" }
    }
    deploy = {
      name        = "${var.name}-ci-deploy-${var.environment}"
      description = "GitHub Actions deploys of ${var.github_repository} to ${var.environment} (EKS)"
      subjects    = ["${local.subject_prefix}environment:${var.environment}"]
      tags        = local.env_tags
    }
  }
  repository_arns = [for repository in aws_ecr_repository.components : repository.arn]
  # prod's deploy role also reads the cluster its releases are promoted from (staging).
  deploy_cluster_arns = [for env in [var.environment, "staging"] : "arn:${local.partition}:eks:${var.region}:${local.account_id}:cluster/${var.name}-${env}"]
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${local.github_issuer}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = { ManagedBy = "teamf.platform" }
}

data "aws_iam_policy_document" "ci_trust" {
  for_each = local.ci_roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_issuer}:sub"
      values   = each.value.subjects
    }
  }
}

resource "aws_iam_role" "ci_build" {
  name               = local.ci_roles.build.name
  description        = local.ci_roles.build.description
  assume_role_policy = data.aws_iam_policy_document.ci_trust["build"].json
  tags               = local.ci_roles.build.tags
}

resource "aws_iam_role" "ci_deploy" {
  name               = local.ci_roles.deploy.name
  description        = local.ci_roles.deploy.description
  assume_role_policy = data.aws_iam_policy_document.ci_trust["deploy"].json
  tags               = local.ci_roles.deploy.tags
}

data "aws_iam_policy_document" "ci_build" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "EcrPush"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
      "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = local.repository_arns
  }
}

data "aws_iam_policy_document" "ci_deploy" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]
    resources = local.repository_arns
  }
  statement {
    sid       = "EksDescribeCluster"
    actions   = ["eks:DescribeCluster"]
    resources = local.deploy_cluster_arns
  }
}

resource "aws_iam_role_policy" "ci_build" {
  name   = "ci-least-privilege"
  role   = aws_iam_role.ci_build.id
  policy = data.aws_iam_policy_document.ci_build.json
}

resource "aws_iam_role_policy" "ci_deploy" {
  name   = "ci-least-privilege"
  role   = aws_iam_role.ci_deploy.id
  policy = data.aws_iam_policy_document.ci_deploy.json
}
