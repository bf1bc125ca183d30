# PERSISTENT_2 is the deployment type that supports data repository associations, which keep
# the file system and the bucket in sync without any call from berth.
resource "aws_fsx_lustre_file_system" "shared" {
  storage_capacity            = var.lustre_storage_gib
  deployment_type             = "PERSISTENT_2"
  per_unit_storage_throughput = var.lustre_throughput_per_tib
  subnet_ids                  = [aws_subnet.fleet.id]
  security_group_ids          = [aws_security_group.lustre.id]
  data_compression_type       = "LZ4"
  file_system_type_version    = "2.15"

  tags = {
    Name = "${local.name}-shared"
  }
}

# Run dirs: whatever a job writes under /mnt/shared/runs reaches s3://<bucket>/<prefix>/runs,
# and what appears in the bucket shows up on the file system.
resource "aws_fsx_data_repository_association" "runs" {
  file_system_id                   = aws_fsx_lustre_file_system.shared.id
  file_system_path                 = "/runs"
  data_repository_path             = "s3://${var.s3_bucket}/${var.s3_prefix}/runs"
  batch_import_meta_data_on_create = true

  s3 {
    auto_export_policy {
      events = ["NEW", "CHANGED", "DELETED"]
    }

    auto_import_policy {
      events = ["NEW", "CHANGED", "DELETED"]
    }
  }
}

# Inputs: objects under s3://<bucket>/<prefix>/data appear at /mnt/shared/data, loaded lazily
# on first read. Created after the runs association: FSx takes one association change of a file
# system at a time, and the provider fails the second of two made in parallel.
resource "aws_fsx_data_repository_association" "data" {
  file_system_id                   = aws_fsx_lustre_file_system.shared.id
  file_system_path                 = "/data"
  data_repository_path             = "s3://${var.s3_bucket}/${var.s3_prefix}/data"
  batch_import_meta_data_on_create = true

  s3 {
    auto_import_policy {
      events = ["NEW", "CHANGED", "DELETED"]
    }
  }

  depends_on = [aws_fsx_data_repository_association.runs]
}

# The setup files every instance runs at boot: the Ansible tree, the heartbeat agent and the
# berth jar, staged in the bucket so user data stays small.
resource "aws_s3_object" "ansible" {
  for_each = fileset(local.ansible_dir, "**")

  bucket      = var.s3_bucket
  key         = "${local.fleet_prefix}/ansible/${each.value}"
  source      = "${local.ansible_dir}/${each.value}"
  source_hash = filemd5("${local.ansible_dir}/${each.value}")
}

resource "aws_s3_object" "heartbeat" {
  for_each = fileset(local.heartbeat, "*")

  bucket      = var.s3_bucket
  key         = "${local.fleet_prefix}/heartbeat/${each.value}"
  source      = "${local.heartbeat}/${each.value}"
  source_hash = filemd5("${local.heartbeat}/${each.value}")
}

# Uploaded when the object is created, which needs a built jar; no hash of the local file, so
# that a plan (a scaling one, say) works from a checkout where berth was never built. A rebuilt
# jar is therefore not uploaded by apply: docs/deploy-aws.md, "Upgrade berth", ships it.
resource "aws_s3_object" "berth_jar" {
  bucket = var.s3_bucket
  key    = "${local.fleet_prefix}/berth.jar"
  source = local.berth_jar
}
