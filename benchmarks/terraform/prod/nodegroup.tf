# roles/nodegroup: the node security group (control plane -> 443, 10250, 9443; all between nodes),
# an IMDSv2-only launch template per nodegroup, the managed nodegroups.
locals {
  node_sg_name = "${local.cluster_name}-nodes"
  cluster_sg   = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  node_ingress = {
    "tcp-443-control-plane"   = { protocol = "tcp", port = 443, from_self = false }
    "tcp-10250-control-plane" = { protocol = "tcp", port = 10250, from_self = false }
    "tcp-9443-control-plane"  = { protocol = "tcp", port = 9443, from_self = false }
    "all-self"                = { protocol = "-1", port = null, from_self = true }
  }
  nodegroups = {
    general = {
      instance_types = ["m6i.large"]
      capacity_type  = "ON_DEMAND"
      scaling        = var.nodegroup_general_scaling
      labels         = { workload = "general" }
      disk_size      = 50
      ami_type       = "AL2023_x86_64_STANDARD"
    }
  }
}

resource "aws_security_group" "nodes" {
  name        = local.node_sg_name
  description = "Nodes of EKS cluster ${local.cluster_name}"
  vpc_id      = aws_vpc.this.id
  tags = merge(local.env_tags, {
    Name                                          = local.node_sg_name
    "kubernetes.io/cluster/${local.cluster_name}" = "owned"
  })
}

resource "aws_vpc_security_group_ingress_rule" "nodes" {
  for_each = local.node_ingress

  security_group_id            = aws_security_group.nodes.id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.from_self ? aws_security_group.nodes.id : local.cluster_sg
  description                  = each.value.from_self ? "between nodes" : "from the EKS control plane"
}

# Terraform removes the allow-all egress rule AWS creates with a group; the role keeps it.
resource "aws_vpc_security_group_egress_rule" "nodes_all" {
  security_group_id = aws_security_group.nodes.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_launch_template" "nodes" {
  for_each = local.nodegroups

  name                   = "${local.cluster_name}-${each.key}"
  description            = "managed by teamf.platform"
  vpc_security_group_ids = [local.cluster_sg, aws_security_group.nodes.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1 # keeps pods (one hop further) away from the node role's credentials
    http_protocol_ipv6          = "disabled"
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = each.value.disk_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  dynamic "tag_specifications" {
    for_each = ["instance", "volume"]
    content {
      resource_type = tag_specifications.value
      tags          = merge(var.tags, local.env_tags, { Name = "${local.cluster_name}-${each.key}" })
    }
  }

  tags = merge(local.env_tags, { Name = "${local.cluster_name}-${each.key}" })
}

resource "aws_eks_node_group" "this" {
  for_each = local.nodegroups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = each.key
  node_role_arn   = aws_iam_role.service["eks-nodegroup"].arn
  subnet_ids      = aws_eks_cluster.this.vpc_config[0].subnet_ids
  instance_types  = each.value.instance_types
  capacity_type   = each.value.capacity_type
  ami_type        = each.value.ami_type
  labels          = each.value.labels

  launch_template {
    id      = aws_launch_template.nodes[each.key].id
    version = aws_launch_template.nodes[each.key].latest_version
  }

  scaling_config {
    min_size     = each.value.scaling.min_size
    max_size     = each.value.scaling.max_size
    desired_size = each.value.scaling.desired_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = local.env_tags

  # nodegroup_desired_size_policy "initial": the autoscaler owns the desired size after creation.
  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.service]
}
