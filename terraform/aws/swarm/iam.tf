data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The manager consumes the job queue, may read and write the bucket (the fleet's setup
# files, and anything an operator stages there), and pulls job images from ECR: berth gets a
# registry token with this role and hands it to the workers with each job's service.
resource "aws_iam_role" "manager" {
  name               = "${local.name}-manager"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "manager" {
  statement {
    sid = "JobQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:SendMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]
    resources = [aws_sqs_queue.jobs.arn, aws_sqs_queue.jobs_dead_letter.arn]
  }

  statement {
    sid       = "BucketList"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.s3_bucket}"]
  }

  statement {
    sid       = "BucketObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::${var.s3_bucket}/*"]
  }

  statement {
    sid       = "RegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "RegistryPull"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability",
    ]
    resources = var.ecr_repository_arns
  }

  # berth's autoscaling (BERTH_AUTOSCALE): exactly the calls it makes, on the pools' groups and no
  # other. AWS itself keeps the desired capacity within each group's min and max.
  statement {
    sid = "AutoscaleGroups"
    actions = [
      "autoscaling:SetDesiredCapacity",
      "autoscaling:SetInstanceProtection",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    resources = concat([aws_autoscaling_group.worker.arn], aws_autoscaling_group.gpu_worker[*].arn, aws_autoscaling_group.burst_worker[*].arn)
  }

  # Describe calls take no resource in IAM: AWS allows them only on "*"
  statement {
    sid       = "AutoscaleDescribe"
    actions   = ["autoscaling:DescribeAutoScalingGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "manager" {
  name   = "${local.name}-manager"
  role   = aws_iam_role.manager.id
  policy = data.aws_iam_policy_document.manager.json
}

resource "aws_iam_instance_profile" "manager" {
  name = "${local.name}-manager"
  role = aws_iam_role.manager.name
}

# Workers fetch the fleet's setup files at boot. Their own ECR read is for an operator pulling
# on a worker by hand: jobs' images come with the manager's token. Job containers cannot use
# this role because the DOCKER-USER rules block the metadata service.
resource "aws_iam_role" "worker" {
  name               = "${local.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "FleetSetupList"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.s3_bucket}"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.fleet_prefix}/*"]
    }
  }

  statement {
    sid       = "FleetSetupRead"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${var.s3_bucket}/${local.fleet_prefix}/*"]
  }

  statement {
    sid       = "RegistryToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "RegistryPull"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability",
    ]
    resources = var.ecr_repository_arns
  }

  # A worker whose boot failed marks itself unhealthy, so its group replaces it; only groups of
  # this cluster (their berth:cluster tag) are concerned.
  statement {
    sid       = "MarkSelfUnhealthy"
    actions   = ["autoscaling:SetInstanceHealth"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "autoscaling:ResourceTag/berth:cluster"
      values   = [var.cluster_name]
    }
  }

  # An idle burst worker ends itself through its group with one fewer desired, so that the group
  # launches none in its place; only the burst groups of this cluster (their berth-pool and
  # berth:cluster tags) are concerned.
  statement {
    sid       = "EndSelfWhenIdle"
    actions   = ["autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "autoscaling:ResourceTag/berth:cluster"
      values   = [var.cluster_name]
    }

    condition {
      test     = "StringEquals"
      variable = "autoscaling:ResourceTag/berth-pool"
      values   = ["burst"]
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "${local.name}-worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_instance_profile" "worker" {
  name = "${local.name}-worker"
  role = aws_iam_role.worker.name
}
