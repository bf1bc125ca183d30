#!/bin/sh
# Runs all of berth's tests: unit tests, integration tests on the local swarm and on a multi-node
# test bed, and the fleet checks (Terraform, Ansible, heartbeat agent). Sets the machine up first.
# mvn verify runs the unit tests (surefire, *Test) and then the integration tests (failsafe,
# *IntegrationTest); mvn test alone runs the unit tests, which need neither Docker nor root.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-local.sh" --fleet-checks
cd "$root"
mvn -B -ntp verify
"$root/scripts/check-fleet.sh"
