#!/bin/sh
# Runs all of berth's tests: unit tests, integration tests on the local swarm and on a multi-node
# test bed, and the fleet checks (Terraform, Ansible, heartbeat agent). Sets the machine up first.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-local.sh" --fleet-checks
cd "$root"
mvn -B -ntp verify
"$root/scripts/check-fleet.sh"
