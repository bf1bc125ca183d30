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
}

resource "aws_instance" "manager" {
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = var.manager_instance_type
  availability_zone      = var.availability_zone
  subnet_id              = aws_subnet.fleet.id
  key_name               = aws_key_pair.operator.key_name
  iam_instance_profile   = aws_iam_instance_profile.manager.name
  vpc_security_group_ids = [aws_security_group.manager_ssh.id, aws_security_group.fleet.id, aws_security_group.lustre_client.id]

  root_block_device {
    volume_size = var.manager_volume_gib
    volume_type = "gp3"
  }

  metadata_options {
    http_tokens = "required"
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
    }))
  })

  tags = {
    Name         = "${local.name}-manager"
    "berth-pool" = "manager"
  }

  depends_on = [
    aws_fsx_data_repository_association.runs,
    aws_s3_object.ansible,
    aws_s3_object.heartbeat,
    aws_s3_object.berth_jar,
  ]

  # A newer AMI or an edited boot script must not replace a manager holding berth's database.
  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_launch_template" "worker" {
  name_prefix            = "${local.name}-worker-"
  image_id               = data.aws_ami.ubuntu.id
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
      delete_on_termination = true
    }
  }

  metadata_options {
    http_tokens            = "required"
    instance_metadata_tags = "enabled"
  }

  user_data = base64encode(templatefile("${path.module}/boot.sh.tftpl", {
    playbook     = "worker.yml"
    region       = var.region
    fleet_source = "s3://${var.s3_bucket}/${local.fleet_prefix}/"
    vars = jsonencode(merge(local.fleet_vars, {
      manager_address = aws_instance.manager.private_ip
    }))
  }))
}

# Persistent spot: AWS stops them when it needs the capacity back and starts them again later.
resource "aws_instance" "worker" {
  count = var.worker_count

  availability_zone = var.availability_zone
  subnet_id         = aws_subnet.fleet.id

  launch_template {
    id      = aws_launch_template.worker.id
    version = aws_launch_template.worker.latest_version
  }

  instance_market_options {
    market_type = "spot"

    spot_options {
      spot_instance_type             = "persistent"
      instance_interruption_behavior = "stop"
    }
  }

  tags = {
    Name              = "${local.name}-worker-${count.index}"
    "berth-pool"      = "spot"
    "berth-lifecycle" = "spot"
  }

  # Workers keep the template version they booted with; only new workers pick up a new one.
  lifecycle {
    ignore_changes = [launch_template]
  }
}

# One-time spot: once a burst worker powers itself off it is gone until the next apply.
resource "aws_instance" "burst_worker" {
  count = var.burst_worker_count

  availability_zone                    = var.availability_zone
  subnet_id                            = aws_subnet.fleet.id
  instance_initiated_shutdown_behavior = "terminate"

  launch_template {
    id      = aws_launch_template.worker.id
    version = aws_launch_template.worker.latest_version
  }

  instance_market_options {
    market_type = "spot"

    spot_options {
      spot_instance_type             = "one-time"
      instance_interruption_behavior = "terminate"
    }
  }

  tags = {
    Name              = "${local.name}-burst-${count.index}"
    "berth-pool"      = "burst"
    "berth-lifecycle" = "burst"
  }

  lifecycle {
    ignore_changes = [launch_template]
  }
}

resource "aws_instance" "gpu_worker" {
  count = var.gpu_worker_count

  ami               = var.gpu_ami_id != "" ? var.gpu_ami_id : data.aws_ami.gpu.id
  instance_type     = var.gpu_instance_type
  availability_zone = var.availability_zone
  subnet_id         = aws_subnet.fleet.id

  root_block_device {
    volume_size = var.gpu_volume_gib
    volume_type = "gp3"
  }

  launch_template {
    id      = aws_launch_template.worker.id
    version = aws_launch_template.worker.latest_version
  }

  instance_market_options {
    market_type = "spot"

    spot_options {
      spot_instance_type             = "persistent"
      instance_interruption_behavior = "stop"
    }
  }

  tags = {
    Name              = "${local.name}-gpu-${count.index}"
    "berth-pool"      = "gpu"
    "berth-lifecycle" = "spot"
  }

  lifecycle {
    ignore_changes = [ami, launch_template]
  }
}
