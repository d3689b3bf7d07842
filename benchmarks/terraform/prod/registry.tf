# roles/registry (once per account; site.yml --limit prod converges it too): one ECR repository per
# component, tags immutable, scan on push, untagged images expire after 14 days.
resource "aws_ecr_repository" "components" {
  for_each = toset(var.components)

  name                 = "${var.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  tags = { ManagedBy = "teamf.platform" }
}

resource "aws_ecr_lifecycle_policy" "components" {
  for_each = aws_ecr_repository.components

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Expire untagged images 14 days after their push"
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
      action       = { type = "expire" }
    }]
  })
}
