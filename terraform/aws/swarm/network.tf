resource "aws_vpc" "fleet" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = "${local.name}-vpc"
  }
}

resource "aws_subnet" "fleet" {
  vpc_id                  = aws_vpc.fleet.id
  cidr_block              = var.vpc_cidr
  availability_zone       = var.availability_zone
  map_public_ip_on_launch = true

  tags = {
    Name = "${local.name}-subnet"
  }
}

resource "aws_internet_gateway" "fleet" {
  vpc_id = aws_vpc.fleet.id

  tags = {
    Name = "${local.name}-igw"
  }
}

resource "aws_route_table" "fleet" {
  vpc_id = aws_vpc.fleet.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.fleet.id
  }

  tags = {
    Name = "${local.name}-routes"
  }
}

resource "aws_route_table_association" "fleet" {
  subnet_id      = aws_subnet.fleet.id
  route_table_id = aws_route_table.fleet.id
}

# The only ingress from the internet: SSH and mosh to the manager.
resource "aws_security_group" "manager_ssh" {
  name        = "${local.name}-manager-ssh"
  description = "SSH and mosh from the operator to the berth manager"
  vpc_id      = aws_vpc.fleet.id

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_ingress_cidrs
  }

  ingress {
    description = "mosh"
    from_port   = 60000
    to_port     = 61000
    protocol    = "udp"
    cidr_blocks = var.ssh_ingress_cidrs
  }
}

# Everything between fleet members stays inside this group: Swarm control (2377/tcp), gossip
# (7946/tcp+udp), overlay data (4789/udp), manager-to-worker SSH.
resource "aws_security_group" "fleet" {
  name        = "${local.name}-fleet"
  description = "Swarm and SSH traffic between berth fleet members"
  vpc_id      = aws_vpc.fleet.id

  ingress {
    description = "Swarm cluster management"
    from_port   = 2377
    to_port     = 2377
    protocol    = "tcp"
    self        = true
  }

  ingress {
    description = "Swarm gossip (tcp)"
    from_port   = 7946
    to_port     = 7946
    protocol    = "tcp"
    self        = true
  }

  ingress {
    description = "Swarm gossip (udp)"
    from_port   = 7946
    to_port     = 7946
    protocol    = "udp"
    self        = true
  }

  ingress {
    description = "Swarm overlay network"
    from_port   = 4789
    to_port     = 4789
    protocol    = "udp"
    self        = true
  }

  ingress {
    description = "SSH from the manager"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    self        = true
  }

  egress {
    description = "Package mirrors, git remotes, AWS APIs"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# Lustre: clients reach the file servers on 988 and 1018-1023 (tcp); the file system's own
# interfaces also talk among themselves on those ports. The servers also connect back to the
# clients on the same ports, which lustre_client admits.
resource "aws_security_group" "lustre" {
  name        = "${local.name}-lustre"
  description = "FSx for Lustre traffic from berth fleet members"
  vpc_id      = aws_vpc.fleet.id

  ingress {
    description     = "Lustre from fleet members"
    from_port       = 988
    to_port         = 988
    protocol        = "tcp"
    security_groups = [aws_security_group.fleet.id]
  }

  ingress {
    description     = "Lustre bulk from fleet members"
    from_port       = 1018
    to_port         = 1023
    protocol        = "tcp"
    security_groups = [aws_security_group.fleet.id]
  }

  ingress {
    description = "Lustre between file servers"
    from_port   = 988
    to_port     = 1023
    protocol    = "tcp"
    self        = true
  }

  egress {
    description = "Replies and S3 data repository traffic"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The clients' side of Lustre, as AWS documents it: the file servers open connections to clients
# on 988 and 1018-1023 too. A group of its own, because the fleet group naming the Lustre group
# while the Lustre group names the fleet group would be a dependency cycle.
resource "aws_security_group" "lustre_client" {
  name        = "${local.name}-lustre-client"
  description = "FSx for Lustre traffic from the file system to berth fleet members"
  vpc_id      = aws_vpc.fleet.id

  ingress {
    description     = "Lustre from the file servers"
    from_port       = 988
    to_port         = 988
    protocol        = "tcp"
    security_groups = [aws_security_group.lustre.id]
  }

  ingress {
    description     = "Lustre bulk from the file servers"
    from_port       = 1018
    to_port         = 1023
    protocol        = "tcp"
    security_groups = [aws_security_group.lustre.id]
  }
}
