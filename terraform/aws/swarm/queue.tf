# Jobs arrive here, in order per message group. berth deletes a message only after the job is
# stored; one that keeps failing to be stored moves to the dead-letter queue.
resource "aws_sqs_queue" "jobs_dead_letter" {
  name                      = "${local.name}-jobs-dlq.fifo"
  fifo_queue                = true
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "jobs" {
  name                        = "${local.name}-jobs.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  visibility_timeout_seconds  = 120
  receive_wait_time_seconds   = 20
  message_retention_seconds   = 1209600

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dead_letter.arn
    maxReceiveCount     = var.job_queue_max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "jobs_dead_letter" {
  queue_url = aws_sqs_queue.jobs_dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.jobs.arn]
  })
}
