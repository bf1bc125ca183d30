locals {
  name         = var.cluster_name
  shared_mount = "/mnt/shared"
  fleet_prefix = "${var.s3_prefix}/fleet"
  berth_jar    = var.berth_jar_path != "" ? pathexpand(var.berth_jar_path) : "${path.module}/../../../orchestrator/target/berth.jar"
  ansible_dir  = "${path.module}/../../../ansible"
  heartbeat    = "${path.module}/../../../heartbeat"
}

# Debian 12 from Debian's own AWS account. Instances ignore later AMI releases (see their
# lifecycle blocks) so a new image never replaces a running fleet.
data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

data "aws_ami" "gpu" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

resource "aws_key_pair" "operator" {
  key_name   = "${local.name}-operator"
  public_key = file(pathexpand(var.ssh_public_key_path))
}
