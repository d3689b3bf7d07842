variable "endpoint" {
  description = "AWS API endpoint (the emulator's URL)."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "region" {
  type    = string
  default = "ap-northeast-2"
}

# --- inventories/shared/group_vars/all.yml + inventories/prod/host_vars/prod.yml
variable "name" {
  description = "platform_name"
  type        = string
  default     = "teamf"
}

variable "environment" {
  description = "platform_env"
  type        = string
  default     = "prod"
}

variable "tags" {
  description = "platform_tags"
  type        = map(string)
  default     = { Project = "teamf", Owner = "platform-team" }
}

variable "vpc_cidr" {
  type    = string
  default = "10.30.0.0/16"
}

variable "zones" {
  description = "vpc_azs: the zone's letter is the subnet, NAT and route table name suffix."
  type        = list(string)
  default     = ["ap-northeast-2a", "ap-northeast-2c"]
}

variable "github_repository" {
  description = "platform_github_repository"
  type        = string
  default     = "teamf/platform"
}

variable "components" {
  description = "platform_components (names): one ECR repository each under the namespace <name>/"
  type        = list(string)
  default     = ["auth-api", "users-api"]
}

variable "developers_principal_arn" {
  description = "platform_developers_principal_arn (inventories/local/group_vars/emulator.yml)"
  type        = string
  default     = "arn:aws:iam::123456789012:role/teamf-developers"
}

variable "eks_version" {
  type    = string
  default = "1.32"
}

variable "nodegroup_general_scaling" {
  type    = object({ min_size = number, max_size = number, desired_size = number })
  default = { min_size = 2, max_size = 6, desired_size = 3 }
}
