locals {
  # Settings every instance's boot script hands to Ansible; the pool and lifecycle of a worker
  # come from its own instance tags, so one launch template serves every pool.
  fleet_vars = {
    region             = var.region
    s3_bucket          = var.s3_bucket
    fleet_prefix       = local.fleet_prefix
    shared_mount       = local.shared_mount
    lustre_dns_name    = aws_fsx_lustre_file_system.shared.dns_name
    lustre_mount_name  = aws_fsx_lustre_file_system.shared.mount_name
    gpu_kind           = var.gpu_kind
    burst_idle_minutes = var.burst_idle_minutes
  }

  worker_user_data = base64encode(templatefile("${path.module}/boot.sh.tftpl", {
    playbook     = "worker.yml"
    region       = var.region
    fleet_source = "s3://${var.s3_bucket}/${local.fleet_prefix}/"
    vars = jsonencode(merge(local.fleet_vars, {
      manager_address = aws_instance.manager.private_ip
    }))
  }))
}

resource "aws_instance" "manager" {
  ami                    = local.ubuntu_ami
  instance_type          = var.manager_instance_type
  availability_zone      = var.availability_zone
  subnet_id              = aws_subnet.fleet.id
  key_name               = aws_key_pair.operator.key_name
  iam_instance_profile   = aws_iam_instance_profile.manager.name
  vpc_security_group_ids = [aws_security_group.manager_ssh.id, aws_security_group.fleet.id, aws_security_group.lustre_client.id]

  root_block_device {
    volume_size = var.manager_volume_gib
    volume_type = "gp3"
    encrypted   = true
  }

  metadata_options {
    http_tokens            = "required"
    instance_metadata_tags = "enabled"
  }

  user_data = templatefile("${path.module}/boot.sh.tftpl", {
    playbook     = "manager.yml"
    region       = var.region
    fleet_source = "s3://${var.s3_bucket}/${local.fleet_prefix}/"
    vars = jsonencode(merge(local.fleet_vars, {
      berth_pool      = "manager"
      berth_lifecycle = "on-demand"
      queue_url       = aws_sqs_queue.jobs.url
      dlq_url         = aws_sqs_queue.jobs_dead_letter.url
      berth_pools     = local.berth_pools
      # Where the run dirs reach S3 (the runs association's export), for berth status and berth wait-export
      berth_export_s3 = aws_fsx_data_repository_association.runs.data_repository_path
      berth_autoscale = local.berth_autoscale
      # What an hour of each pool's node costs, for the jobs' costs
      berth_pool_prices = local.berth_pool_prices
    }))
  })

  tags = {
    Name         = "${local.name}-manager"
    "berth-pool" = "manager"
  }

  depends_on = [
    aws_fsx_data_repository_association.runs,
    aws_fsx_data_repository_association.data,
    aws_s3_object.ansible,
    aws_s3_object.heartbeat,
    aws_s3_object.berth_jar,
  ]

  # A newer AMI or an edited boot script must not replace a manager holding berth's database.
  lifecycle {
    ignore_changes = [ami, user_data]

    # A price for another type than the pool's would cost every job of the pool at the wrong rate
    precondition {
      condition     = alltrue([for pool in local.berth_pools : !contains(keys(var.instance_prices), pool.pool) || try(var.instance_prices[pool.pool].instance_type == pool.instance_type, false)])
      error_message = "instance_prices must price each pool's own instance type, worker_instance_type for spot and burst, gpu_instance_type for gpu; got ${join(", ", [for pool in local.berth_pools : "${pool.pool}: ${jsonencode(var.instance_prices[pool.pool].instance_type)}, its nodes ${pool.instance_type}" if contains(keys(var.instance_prices), pool.pool) && try(var.instance_prices[pool.pool].instance_type != pool.instance_type, true)])}."
    }
  }
}

resource "aws_launch_template" "worker" {
  name_prefix            = "${local.name}-worker-"
  image_id               = local.ubuntu_ami
  instance_type          = var.worker_instance_type
  key_name               = aws_key_pair.operator.key_name
  vpc_security_group_ids = [aws_security_group.fleet.id, aws_security_group.lustre_client.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.worker.name
  }

  block_device_mappings {
    device_name = "/dev/sda1"

    ebs {
      volume_size           = var.worker_volume_gib
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  metadata_options {
    http_tokens            = "required"
    instance_metadata_tags = "enabled"
  }

  # The provider's default tags reach neither the instances a template launches nor their
  # volumes; these do, so every one of them can be found (and billed) by cluster. Pool and
  # lifecycle stay on the group or instance: one template serves several pools.
  tag_specifications {
    resource_type = "instance"
    tags = {
      "berth:cluster" = var.cluster_name
    }
  }

  tag_specifications {
    resource_type = "volume"
    tags = {
      Name            = "${local.name}-worker"
      "berth:cluster" = var.cluster_name
    }
  }

  user_data = local.worker_user_data
}

# The GPU pool boots another image (the NVIDIA driver) on a larger disk, which an Auto Scaling
# group cannot override on a shared template. It exists only while the pool is not empty, so a
# fleet without GPUs never looks the GPU image up.
resource "aws_launch_template" "gpu_worker" {
  count = local.gpu_worker_max > 0 ? 1 : 0

  name_prefix            = "${local.name}-gpu-worker-"
  image_id               = var.gpu_ami_id != "" ? var.gpu_ami_id : data.aws_ami.gpu[0].id
  instance_type          = var.gpu_instance_type
  key_name               = aws_key_pair.operator.key_name
  vpc_security_group_ids = [aws_security_group.fleet.id, aws_security_group.lustre_client.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.worker.name
  }

  block_device_mappings {
    device_name = "/dev/sda1"

    ebs {
      volume_size           = var.gpu_volume_gib
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  metadata_options {
    http_tokens            = "required"
    instance_metadata_tags = "enabled"
  }

  # The provider's default tags reach neither the instances a template launches nor their
  # volumes; these do, so every one of them can be found (and billed) by cluster. Pool and
  # lifecycle stay on the group or instance: one template serves several pools.
  tag_specifications {
    resource_type = "instance"
    tags = {
      "berth:cluster" = var.cluster_name
    }
  }

  tag_specifications {
    resource_type = "volume"
    tags = {
      Name            = "${local.name}-gpu"
      "berth:cluster" = var.cluster_name
    }
  }

  user_data = local.worker_user_data
}

# The persistent pools are Auto Scaling groups of spot instances, not aws_instance resources with
# persistent spot requests: destroying such an instance can leave its request open, and AWS then
# launches workers that no state knows of. A group owns its instances instead: it replaces one
# that AWS reclaims, terminates the surplus when worker_count drops and all of them on destroy,
# and each of its spot requests ends with its instance.
#
# No capacity_rebalance: it would terminate a worker, and its running jobs, on a mere rebalance
# recommendation; berth retries the jobs that a real interruption takes.
#
# With worker_max above worker_count, berth sets the desired capacity between the two as its jobs
# need (BERTH_AUTOSCALE), protects busy instances from scale-in and ends the idle ones it drained;
# an apply then leaves the desired capacity to berth. A new floor above it raises it (AWS does).
resource "aws_autoscaling_group" "worker" {
  name                = local.worker_group
  vpc_zone_identifier = [aws_subnet.fleet.id]
  min_size            = var.worker_count
  max_size            = local.worker_max
  desired_capacity    = var.worker_count
  # Spot capacity may take a while to come; the group keeps trying by itself, and a wait that
  # timed out would taint the group for replacement.
  wait_for_capacity_timeout = "0"

  # The desired capacity is berth's once the pool autoscales; without that it equals the floor
  lifecycle {
    ignore_changes = [desired_capacity]
  }

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 0
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    # Workers keep the template version they booted with; only new workers pick up a new one.
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.worker.id
        version            = aws_launch_template.worker.latest_version
      }
    }
  }

  # The provider's default tags do not reach a group's instances; these do, and the boot script
  # reads the pool and lifecycle from them.
  tag {
    key                 = "Name"
    value               = "${local.name}-worker"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-pool"
    value               = "spot"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-lifecycle"
    value               = "spot"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth:cluster"
    value               = var.cluster_name
    propagate_at_launch = true
  }
}

resource "aws_autoscaling_group" "gpu_worker" {
  count = local.gpu_worker_max > 0 ? 1 : 0

  name                      = local.gpu_worker_group
  vpc_zone_identifier       = [aws_subnet.fleet.id]
  min_size                  = var.gpu_worker_count
  max_size                  = local.gpu_worker_max
  desired_capacity          = var.gpu_worker_count
  wait_for_capacity_timeout = "0"

  # The desired capacity is berth's once the pool autoscales; without that it equals the floor
  lifecycle {
    ignore_changes = [desired_capacity]
  }

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 0
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.gpu_worker[0].id
        version            = aws_launch_template.gpu_worker[0].latest_version
      }

      # Several types: GPU spot capacity of a single one is often short. Overrides replace the
      # template's type, so it is listed too; the allocation strategy picks among them.
      dynamic "override" {
        for_each = distinct(concat([var.gpu_instance_type], var.gpu_alternative_instance_types))

        content {
          instance_type = override.value
        }
      }
    }
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-gpu"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-pool"
    value               = "gpu"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-lifecycle"
    value               = "spot"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth:cluster"
    value               = var.cluster_name
    propagate_at_launch = true
  }
}

# Burst workers are transient: a group of spot workers on the shared template whose floor is nothing.
# berth grows it to burst_worker_max as its jobs need, and each worker idle for burst_idle_minutes
# drains itself, leaves the swarm and ends itself through the group with one fewer desired, so the
# group launches none in its place: a pool nobody needs costs nothing. burst_worker_count is how
# many the group starts with; from then on the desired capacity is berth's and the workers' own.
resource "aws_autoscaling_group" "burst_worker" {
  count = local.burst_worker_max > 0 ? 1 : 0

  name                      = local.burst_worker_group
  vpc_zone_identifier       = [aws_subnet.fleet.id]
  min_size                  = 0
  max_size                  = local.burst_worker_max
  desired_capacity          = var.burst_worker_count
  wait_for_capacity_timeout = "0"

  # The desired capacity is berth's, and an idle worker lowers it as it goes: an apply must not set it back
  lifecycle {
    ignore_changes = [desired_capacity]
  }

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 0
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.worker.id
        version            = aws_launch_template.worker.latest_version
      }
    }
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-burst"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-pool"
    value               = "burst"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth-lifecycle"
    value               = "burst"
    propagate_at_launch = true
  }

  tag {
    key                 = "berth:cluster"
    value               = var.cluster_name
    propagate_at_launch = true
  }
}
