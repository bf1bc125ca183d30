locals {
  name         = var.cluster_name
  shared_mount = "/mnt/shared"
  fleet_prefix = "${var.s3_prefix}/fleet"
  berth_jar    = var.berth_jar_path != "" ? pathexpand(var.berth_jar_path) : "${path.module}/../../../orchestrator/target/berth.jar"
  ansible_dir  = "${path.module}/../../../ansible"
  heartbeat    = "${path.module}/../../../heartbeat"
  ubuntu_ami   = var.ubuntu_ami_id != "" ? var.ubuntu_ami_id : data.aws_ami.ubuntu[0].id
}

# Ubuntu 22.04 from Canonical: FSx for Lustre publishes client packages for Ubuntu (not for
# Debian), and the GPU image below is Ubuntu 22.04 too, so one set of playbooks serves all.
# Instances ignore later AMI releases (see their lifecycle blocks) so a new image never
# replaces a running fleet. A newer image may boot a kernel for which FSx has not yet published
# Lustre client modules, so ubuntu_ami_id pins one; looked up only when none is named.
data "aws_ami" "ubuntu" {
  count = var.ubuntu_ami_id == "" ? 1 : 0

  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

# Looked up only when GPU workers are wanted and no image is named, so a CPU-only fleet works in
# regions or accounts where this image is not published.
data "aws_ami" "gpu" {
  count = local.gpu_worker_max > 0 && var.gpu_ami_id == "" ? 1 : 0

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

# What a node of each pool offers, from its instance type, for berth's admission (BERTH_POOLS on
# the manager): a job that a pool's type could hold waits while the pool has no node (the GPU pool
# at zero, say), and one that no pool's type could hold fails at once. Looked up even for an empty
# pool, which is when berth needs it. The GPU group's alternative types are meant to have as many
# GPUs (see gpu_alternative_instance_types); berth takes gpu_instance_type's.
data "aws_ec2_instance_type" "worker" {
  instance_type = var.worker_instance_type
}

data "aws_ec2_instance_type" "gpu_worker" {
  instance_type = var.gpu_instance_type
}

locals {
  # Each Auto Scaling group's bounds: its *_count the floor, its *_max (when set) the ceiling berth grows it to
  # (the burst group's floor is 0: its workers end themselves when idle)
  worker_max         = var.worker_max == null ? var.worker_count : var.worker_max
  gpu_worker_max     = var.gpu_worker_max == null ? var.gpu_worker_count : var.gpu_worker_max
  burst_worker_max   = var.burst_worker_max == null ? var.burst_worker_count : var.burst_worker_max
  worker_group       = "${local.name}-workers"
  gpu_worker_group   = "${local.name}-gpu-workers"
  burst_worker_group = "${local.name}-burst-workers"

  # The pools berth scales on demand (BERTH_AUTOSCALE on the manager) and their groups. berth reads each
  # group's min and max from AWS, so this list depends on no count: the manager boots with it once, and
  # an apply that changes a floor or a ceiling reaches berth through the group itself. A group at
  # min = max leaves berth nothing to change; the GPU and burst groups, absent while their max is 0, hold
  # their pools at 0.
  berth_autoscale = [
    { pool = "spot", group = local.worker_group },
    { pool = "gpu", group = local.gpu_worker_group },
    { pool = "burst", group = local.burst_worker_group },
  ]
}

locals {
  # scale_variable: the variable that sizes the pool, named in the reason a waiting job gives (the burst
  # pool's ceiling: its count only starts the group, whose floor is 0)
  worker_gpus = sum(concat([0], data.aws_ec2_instance_type.worker.gpus[*].count))
  gpu_gpus    = sum(concat([0], data.aws_ec2_instance_type.gpu_worker.gpus[*].count))
  berth_pools = [
    {
      pool           = "spot"
      instance_type  = var.worker_instance_type
      cpus           = data.aws_ec2_instance_type.worker.default_vcpus
      memory_mib     = data.aws_ec2_instance_type.worker.memory_size
      gpus           = local.worker_gpus
      scale_variable = "worker_count"
    },
    {
      pool           = "burst"
      instance_type  = var.worker_instance_type
      cpus           = data.aws_ec2_instance_type.worker.default_vcpus
      memory_mib     = data.aws_ec2_instance_type.worker.memory_size
      gpus           = local.worker_gpus
      scale_variable = "burst_worker_max"
    },
    {
      pool           = "gpu"
      instance_type  = var.gpu_instance_type
      cpus           = data.aws_ec2_instance_type.gpu_worker.default_vcpus
      memory_mib     = data.aws_ec2_instance_type.gpu_worker.memory_size
      gpus           = local.gpu_gpus
      scale_variable = "gpu_worker_count"
    },
  ]
}

locals {
  # What a node of each pool costs an hour (BERTH_POOL_PRICES on the manager), as the operator priced it
  berth_pool_prices = [for pool, price in var.instance_prices : {
    pool          = pool
    instance_type = price.instance_type
    usd_per_hour  = price.usd_per_hour
    market        = price.market
  }]
}
