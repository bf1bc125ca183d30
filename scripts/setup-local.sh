#!/bin/sh
# Makes this machine ready to run berth and its tests: a Docker engine that is a single-node
# swarm manager, berth's local job image, and what the private-registry test starts (Debian's
# docker-registry, openssl for its certificate, htpasswd; Chromium and its driver for the dashboard's
# browser tests, Prometheus for the metrics test, tmux for the terminal test of berth top, numpy for the
# self-test's). Installs Debian packages it needs when they are
# missing (as root), and starts dockerd when no engine answers, advertising one fake GPU as a
# Swarm generic resource of kind GPU so GPU scheduling can be exercised without a GPU.
# Idempotent: on a machine that is already set up it only checks.
set -eu

#
#   scripts/setup-local.sh [--fleet-checks]    --fleet-checks: also what scripts/check-fleet.sh needs
#   scripts/setup-local.sh --bench             also what bench/run needs: Slurm and munge, the slurm scenario's peer
root=$(cd "$(dirname "$0")/.." && pwd)
needs="dockerd:docker.io busybox:busybox-static git:git ip:iproute2 nsenter:util-linux"
needs="$needs docker-registry:docker-registry openssl:openssl htpasswd:apache2-utils"
needs="$needs chromium:chromium chromedriver:chromium-driver prometheus:prometheus promtool:prometheus tmux:tmux"
if [ "${1:-}" = --fleet-checks ]; then
    needs="$needs ansible-playbook:ansible ansible-lint:ansible-lint debootstrap:debootstrap python3:python3 iptables:iptables jq:jq"
fi
if [ "${1:-}" = --bench ]; then
    needs="$needs slurmctld:slurm-wlm munged:munge"
fi

missing=""
for tool in $needs; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
# The self-test's numpy part is unit-tested with the machine's python3
python3 -c 'import numpy' >/dev/null 2>&1 || missing="$missing python3-numpy"
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing packages:$missing; install them (apt-get install -y$missing) or run this as root" >&2
        exit 1
    fi
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -qq $missing >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: no Docker engine answers and only root can start one here" >&2
        exit 1
    fi
    echo "setup: starting dockerd (log: /var/log/berth-dockerd.log)"
    setsid dockerd --node-generic-resource GPU=GPU-fake0 >/var/log/berth-dockerd.log 2>&1 < /dev/null &
    tries=0
    until docker info >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ $tries -gt 60 ]; then
            echo "setup: dockerd did not come up; its log:" >&2
            tail -n 30 /var/log/berth-dockerd.log >&2
            exit 1
        fi
        sleep 1
    done
fi

if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    echo "setup: making this engine a single-node swarm"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

"$root/scripts/local-image.sh" berth-local/busybox:1
echo "setup: ready ($(docker info --format '{{.ServerVersion}}'), swarm $(docker info --format '{{.Swarm.LocalNodeState}}'))"
