# Every setting of the fleet. The `environment` file at the repository root sets the usual ones
# as TF_VAR_* variables; anything else can be given with -var on the command line.

variable "region" {
  type        = string
  description = "AWS region for every resource, e.g. us-west-2."
}

variable "availability_zone" {
  type        = string
  description = "The one availability zone the subnet, FSx for Lustre and all instances live in (Lustre is single-AZ), e.g. us-west-2a."
}

variable "cluster_name" {
  type        = string
  description = "Prefix for resource names and the berth:cluster tag; change it to run two fleets in one account."
  default     = "berth"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.cluster_name))
    error_message = "cluster_name must be 2-31 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "s3_bucket" {
  type        = string
  description = "Existing S3 bucket linked to the shared file system: run dirs are exported to it, inputs imported from it, and the fleet's setup files are staged in it."
}

variable "s3_prefix" {
  type        = string
  description = "Key prefix inside s3_bucket under which berth keeps everything it writes (runs/, fleet/)."
  default     = "berth"
}

variable "ssh_public_key_path" {
  type        = string
  description = "Path of the SSH public key allowed to log in to the manager (and, from the manager, to workers)."
  default     = "~/.ssh/id_ed25519.pub"
}

# No default: the manager's SSH and mosh ports open to the world unless someone asked for it.
variable "ssh_ingress_cidrs" {
  type        = list(string)
  description = "Source addresses (CIDR blocks) allowed to reach the manager's SSH and mosh ports: the operator's own, e.g. [\"203.0.113.7/32\"]."

  validation {
    condition     = length(var.ssh_ingress_cidrs) > 0 && alltrue([for cidr in var.ssh_ingress_cidrs : can(cidrhost(cidr, 0))])
    error_message = "ssh_ingress_cidrs must list at least one CIDR block, such as your own address as \"203.0.113.7/32\"."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the fleet's VPC; the subnet takes all of it."
  default     = "10.42.0.0/16"
}

variable "manager_instance_type" {
  type        = string
  description = "Instance type of the on-demand manager running berth serve and the Swarm manager."
  default     = "t3a.large"
}

variable "manager_volume_gib" {
  type        = number
  description = "Root volume size of the manager in GiB; it holds berth's SQLite database and Docker images."
  default     = 40
}

variable "ubuntu_ami_id" {
  type        = string
  description = "Ubuntu 22.04 AMI of the manager and the CPU workers. Empty picks the latest at each apply, whose kernel may not have FSx Lustre client modules yet; pin a working one (terraform output ubuntu_ami_id) so new workers boot the same kernel."
  default     = ""
}

variable "worker_instance_type" {
  type        = string
  description = "Instance type of the spot and burst CPU workers. Jobs' images and scratch live on the instance-store NVMe where the type has one (m6id, c6id, ...), else on the root volume (worker_volume_gib); their results on the shared file system."
  default     = "m6i.2xlarge"
}

variable "worker_volume_gib" {
  type        = number
  description = "Root volume size of every worker in GiB."
  default     = 60
}

variable "worker_count" {
  type        = number
  description = "Persistent spot workers, kept at this number by an Auto Scaling group: one that AWS reclaims is replaced by a new one."
  default     = 2

  validation {
    condition     = var.worker_count >= 0
    error_message = "worker_count must be zero or more."
  }
}

variable "worker_max" {
  type        = number
  description = "The most persistent spot workers berth may grow the group to on demand (BERTH_AUTOSCALE); worker_count stays the floor. Null: worker_count, and berth does not scale the pool."
  default     = null

  validation {
    condition     = var.worker_max == null || try(var.worker_max >= var.worker_count, false)
    error_message = "worker_max must be at least worker_count."
  }
}

variable "burst_worker_count" {
  type        = number
  description = "Transient spot workers the burst group starts with. Not a floor: the group's is 0, as each burst worker ends itself (one fewer desired) after burst_idle_minutes without a job, and berth adds them back as its jobs need, up to burst_worker_max; an apply leaves the group's desired capacity alone."
  default     = 0

  validation {
    condition     = var.burst_worker_count >= 0
    error_message = "burst_worker_count must be zero or more."
  }
}

variable "burst_worker_max" {
  type        = number
  description = "The most burst workers berth may grow the group to on demand (BERTH_AUTOSCALE), from none: a burst pool's floor is 0. Null: burst_worker_count. The group exists only while this is above 0."
  default     = null

  validation {
    condition     = var.burst_worker_max == null || try(var.burst_worker_max >= var.burst_worker_count, false)
    error_message = "burst_worker_max must be at least burst_worker_count."
  }
}

variable "burst_idle_minutes" {
  type        = number
  description = "How long a burst worker may run no job before it drains itself, leaves the swarm and ends itself through its Auto Scaling group (one fewer desired, so none replaces it)."
  default     = 30
}

variable "gpu_worker_count" {
  type        = number
  description = "Persistent spot GPU workers, kept at this number by an Auto Scaling group; their GPUs are offered to jobs as Swarm generic resources of kind gpu_kind."
  default     = 0

  validation {
    condition     = var.gpu_worker_count >= 0
    error_message = "gpu_worker_count must be zero or more."
  }
}

variable "gpu_worker_max" {
  type        = number
  description = "The most GPU workers berth may grow the group to on demand (BERTH_AUTOSCALE), from gpu_worker_count, the floor (0 by default: the pool costs nothing while no GPU job waits). Null: gpu_worker_count, and berth does not scale the pool."
  default     = null

  validation {
    condition     = var.gpu_worker_max == null || try(var.gpu_worker_max >= var.gpu_worker_count, false)
    error_message = "gpu_worker_max must be at least gpu_worker_count."
  }
}

variable "gpu_instance_type" {
  type        = string
  description = "Instance type of the GPU workers (an NVIDIA family such as g5, g6 or p4d)."
  default     = "g5.xlarge"
}

variable "gpu_alternative_instance_types" {
  type        = list(string)
  description = "Further instance types the GPU group may launch besides gpu_instance_type, where spot capacity of one is short (e.g. [\"g6.xlarge\"]); pick ones with the same number of GPUs and enough GPU memory for the jobs."
  default     = []
}

variable "instance_prices" {
  type = map(object({
    instance_type = string
    usd_per_hour  = number
    market        = string
  }))
  description = "What an hour of one node of each pool costs, for the jobs' costs in berth status, list and stats (BERTH_POOL_PRICES on the manager): pool (spot, burst or gpu) to {instance_type, the pool's own; usd_per_hour; market, spot or on-demand}, e.g. { spot = { instance_type = \"m6i.2xlarge\", usd_per_hour = 0.15, market = \"spot\" } }. A pool left out: its jobs' costs are unknown."
  default     = {}

  validation {
    condition     = alltrue([for pool in keys(var.instance_prices) : contains(["spot", "burst", "gpu"], pool)])
    error_message = "instance_prices: each key must be a pool of the fleet, spot, burst or gpu; got ${join(", ", [for pool in keys(var.instance_prices) : jsonencode(pool) if !contains(["spot", "burst", "gpu"], pool)])}."
  }

  validation {
    condition     = alltrue([for price in values(var.instance_prices) : contains(["spot", "on-demand"], price.market)])
    error_message = "instance_prices: each market must be spot or on-demand; got ${join(", ", [for pool, price in var.instance_prices : "${pool}: ${jsonencode(price.market)}" if !contains(["spot", "on-demand"], price.market)])}."
  }

  validation {
    condition     = alltrue([for price in values(var.instance_prices) : price.usd_per_hour >= 0 && price.usd_per_hour < 1000000])
    error_message = "instance_prices: each usd_per_hour must be a price in dollars, 0 or more (below a million), such as 0.15; got ${join(", ", [for pool, price in var.instance_prices : "${pool}: ${price.usd_per_hour}" if !(price.usd_per_hour >= 0 && price.usd_per_hour < 1000000)])}."
  }

  validation {
    condition     = alltrue([for price in values(var.instance_prices) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", price.instance_type))])
    error_message = "instance_prices: each instance_type must be an instance type such as m6i.2xlarge; got ${join(", ", [for pool, price in var.instance_prices : "${pool}: ${jsonencode(price.instance_type)}" if !can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", price.instance_type))])}."
  }
}

variable "gpu_ami_id" {
  type        = string
  description = "AMI for GPU workers; empty picks the latest AWS Deep Learning Base AMI (Ubuntu 22.04), which ships the NVIDIA driver."
  default     = ""
}

variable "gpu_volume_gib" {
  type        = number
  description = "Root volume size of GPU workers in GiB; the Deep Learning AMI's own image needs more than a plain Ubuntu one."
  default     = 150
}

variable "gpu_kind" {
  type        = string
  description = "Swarm generic-resource kind under which GPUs are advertised; jobs see DOCKER_RESOURCE_<kind>, so keep it a valid shell name."
  default     = "GPU"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", var.gpu_kind))
    error_message = "gpu_kind must be letters, digits and '_' only: a '-' would hide DOCKER_RESOURCE_<kind> from the job's shell."
  }
}

variable "lustre_storage_gib" {
  type        = number
  description = "FSx for Lustre capacity in GiB (1200, 2400, then multiples of 2400); throughput grows with it."
  default     = 1200
}

variable "lustre_throughput_per_tib" {
  type        = number
  description = "FSx for Lustre PERSISTENT_2 throughput per TiB of storage in MB/s: 125, 250, 500 or 1000."
  default     = 125
}

variable "job_queue_max_receive_count" {
  type        = number
  description = "How many times a job message may be received without being deleted before SQS moves it to the dead-letter queue."
  default     = 5
}

variable "berth_jar_path" {
  type        = string
  description = "Local path of the berth jar installed on the manager; empty means orchestrator/target/berth.jar of this repository (built by mvn package)."
  default     = ""
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ECR repositories (ARNs, wildcards allowed) that job images may be pulled from; [\"*\"] allows every repository the account can read."
  default     = ["*"]
}
