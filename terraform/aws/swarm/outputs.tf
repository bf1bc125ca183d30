output "manager_ip" {
  description = "Public address of the manager: ssh ubuntu@<manager_ip>."
  value       = aws_instance.manager.public_ip
}

output "ubuntu_ami_id" {
  description = "The Ubuntu AMI the manager and CPU workers boot: set it as ubuntu_ami_id to keep new workers on this kernel."
  value       = local.ubuntu_ami
}

output "queue_url" {
  description = "URL of the SQS FIFO job queue berth serve consumes and berth submit sends to."
  value       = aws_sqs_queue.jobs.url
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue receiving job messages that could not be stored."
  value       = aws_sqs_queue.jobs_dead_letter.url
}

output "shared_file_system" {
  description = "FSx for Lustre DNS name and mount name, as mounted at /mnt/shared on every instance."
  value       = "${aws_fsx_lustre_file_system.shared.dns_name}@tcp:/${aws_fsx_lustre_file_system.shared.mount_name}"
}
