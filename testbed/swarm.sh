#!/usr/bin/env bash
# A multi-node Docker Swarm on one machine, for berth's integration tests and benchmarks.
#
# Every node (the manager too) is its own dockerd in its own network namespace, with its own data
# root, exec root, unix socket, cgroup parent and containerd. The host's default dockerd
# is never touched. The nodes are wired to a Linux bridge that lives in a separate "hub" namespace,
# not in the host's: the host's iptables (FORWARD policy DROP with br_netfilter, as docker sets it)
# would otherwise drop the traffic between the nodes.
#
#   testbed/swarm.sh up [--workers N] [--pools spot,burst,gpu] [--gpus-per-worker K] [--gpu-kind KIND] [--heartbeat 5s] [--job-network none|bridge]
#   testbed/swarm.sh down | status
#   testbed/swarm.sh kill-worker NAME | drain-worker NAME | restart-worker NAME
#   testbed/swarm.sh add-worker --pool POOL [--gpus K] [--gpu-kind KIND] | remove-worker NAME | workers [--pool POOL]
#   testbed/swarm.sh exec-in NODE COMMAND [ARG ...]   runs COMMAND in the node's network namespace
#
# Environment:
#   BERTH_TESTBED_INSTANCE  lets test beds coexist: letters and digits, default tb; its namespaces
#                           and cgroups are named berth-<instance>-*, and up/down only touch those
#   BERTH_TESTBED_DIR       default /run/berth-testbed (the default instance) or /run/berth-testbed-<instance>
#   BERTH_TESTBED_NET       first three octets of the private /24 inside the hub, default 10.231.7
#   BERTH_TESTBED_IMAGE     job image built on the manager and loaded on every node, default berth-local/busybox:1
# Needs root, iproute2, util-linux (nsenter, unshare, flock), dockerd 20.10 and busybox (for the image).
set -euo pipefail

INSTANCE=${BERTH_TESTBED_INSTANCE:-tb}
[[ $INSTANCE =~ ^[a-z0-9]{1,8}$ ]] || { echo "swarm.sh: BERTH_TESTBED_INSTANCE must be 1 to 8 lowercase letters or digits, got '$INSTANCE'" >&2; exit 2; }
if [ "$INSTANCE" = tb ]; then BASE=${BERTH_TESTBED_DIR:-/run/berth-testbed}; else BASE=${BERTH_TESTBED_DIR:-/run/berth-testbed-$INSTANCE}; fi
NET=${BERTH_TESTBED_NET:-10.231.7}
IMAGE=${BERTH_TESTBED_IMAGE:-berth-local/busybox:1}
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=berth-$INSTANCE-   # what every network namespace and cgroup of this test bed is named by
HUB=${PREFIX}hub
MANAGER=tb-manager
MANAGER_IP=$NET.10
READY_TIMEOUT=60
# What a job container's network is: none (loopback only), or bridge, as on a fleet member: Docker's default
# bridge with the iptables rules (FORWARD, DOCKER-USER, masquerade) Docker manages, in the node's own namespace.
JOB_NETWORK=none

die() { echo "swarm.sh: $*" >&2; exit 1; }
log() { echo "swarm.sh: $*" >&2; }
usage() { sed -n '10,14p' "$0" | sed 's/^#   //' >&2; exit 2; }

sock() { if [ "$1" = "$MANAGER" ]; then echo "$BASE/manager.sock"; else echo "$BASE/$1.sock"; fi; }
# tb-worker-1 lives in the namespace (and cgroup) berth-tb-worker-1.
nsname() { echo "$PREFIX${1#tb-}"; }
dk() { local node=$1; shift; docker -H "unix://$(sock "$node")" "$@"; }

worker_names() {
    if [ -f "$BASE/workers" ]; then cat "$BASE/workers"; fi
}

require_worker() {
    grep -qx "$1" <(worker_names) || die "no worker named '$1' in the test bed at $BASE (workers: $(worker_names | xargs))"
}

# --- teardown ---------------------------------------------------------------------------------

# Every process of a node: dockerd, containerd and the shims share the node's network namespace;
# the containers have namespaces of their own but sit under the node's cgroup parent.
node_pids() {
    local ns=$1
    ip netns pids "$ns" 2>/dev/null || true
    cat /sys/fs/cgroup/{,*/}"$ns"/{,*/}cgroup.procs 2>/dev/null || true
}

kill_node() {
    local ns=$1 pids i
    for i in $(seq 1 50); do
        pids=$(node_pids "$ns" | sort -u | xargs)
        [ -z "$pids" ] && return 0
        # shellcheck disable=SC2086 # one argument per pid
        kill -9 $pids 2>/dev/null || true
        sleep 0.1
    done
    die "processes of $ns survive kill -9: $pids"
}

remove_cgroups() {
    local ns=$1 dir
    for dir in /sys/fs/cgroup/{,*/}"$ns"; do
        [ -d "$dir" ] || continue
        find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}

unmount_base() {
    # Deepest first; lazily, since a killed dockerd leaves overlay and nsfs mounts behind.
    awk -v base="$BASE" '$5 == base || index($5, base "/") == 1 { print $5 }' /proc/self/mountinfo \
        | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
}

# Finds what is left by name, not by state files, so that it also cleans up after a run that failed half-way.
down() {
    local ns dir
    for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX" || true); do
        kill_node "$ns"
    done
    for dir in /sys/fs/cgroup/{,*/}"$PREFIX"*; do
        [ -d "$dir" ] || continue
        ns=$(basename "$dir")
        kill_node "$ns"
        remove_cgroups "$ns"
    done
    unmount_base
    for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX" || true); do
        ip netns del "$ns"
    done
    rm -rf "$BASE"
}

# --- bring-up ---------------------------------------------------------------------------------

# One containerd and one dockerd per node; the commands go into a file so that restart-worker starts the very
# same daemons. The node's own containerd (rather than a system one that dockerd would otherwise pick up) keeps
# every process of the node in its namespace, where kill-worker and down find them.
write_start_script() {
    local node=$1 dir=$BASE/$1 ns network=; ns=$(nsname "$1"); shift
    if [ "$JOB_NETWORK" = none ]; then network='--bridge=none --iptables=false --ip-masq=false'; fi
    mkdir -p "$dir/exec"
    echo '{}' >"$dir/daemon.json"
    cat >"$dir/containerd.toml" <<EOF
version = 2
root = "$dir/containerd"
state = "$dir/exec/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/exec/containerd.sock"
EOF
    cat >"$dir/start.sh" <<EOF
#!/bin/sh
setsid nsenter --net=/run/netns/$ns containerd --config $dir/containerd.toml >>$dir/containerd.log 2>&1 </dev/null &
exec setsid nsenter --net=/run/netns/$ns unshare --uts sh -c 'hostname $node; exec dockerd \\
    --config-file $dir/daemon.json --containerd $dir/exec/containerd.sock \\
    --data-root $dir/data --exec-root $dir/exec --pidfile $dir/dockerd.pid \\
    -H unix://$(sock "$node") \\
    $network \\
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent /$ns \\
    $*' >>$dir/dockerd.log 2>&1 </dev/null
EOF
    chmod +x "$dir/start.sh"
}

start_node() {
    # A daemon killed with -9 leaves its pid file behind, and dockerd refuses to start while the pid in
    # it still exists (a zombie does, until it is reaped). Callers make sure nothing of the node runs.
    rm -f "$BASE/$1/dockerd.pid"
    # Closing fd 9 keeps the daemons from holding the script's lock for their whole life.
    "$BASE/$1/start.sh" 9>&- &
    echo $! >"$BASE/$1/start.pid"
}

alive() {
    local state
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

await_node() {
    local node=$1 i pid; pid=$(cat "$BASE/$node/start.pid")
    for i in $(seq 1 $((READY_TIMEOUT * 10))); do
        dk "$node" info >/dev/null 2>&1 && return 0
        # The start script execs into dockerd, so its pid ending (or turning zombie) means dockerd exited.
        alive "$pid" || break
        sleep 0.1
    done
    tail -n 20 "$BASE/$node/dockerd.log" >&2 || true
    die "dockerd of $node did not answer on $(sock "$node") (log: $BASE/$node/dockerd.log)"
}

add_namespace() {
    local node=$1 ip=$2 veth=$3 ns; ns=$(nsname "$1")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$HUB" link add "$veth" type veth peer name eth0 netns "$ns"
    ip -n "$HUB" link set "$veth" master br0 up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
}

up() {
    local workers=3 pools=spot,burst,gpu gpus=2 kind=GPU heartbeat=5s
    while [ $# -gt 0 ]; do
        case $1 in
            --workers) workers=${2:?--workers needs a number}; shift 2 ;;
            --pools) pools=${2:?--pools needs a comma-separated list}; shift 2 ;;
            --gpus-per-worker) gpus=${2:?--gpus-per-worker needs a number}; shift 2 ;;
            --gpu-kind) kind=${2:?--gpu-kind needs a name}; shift 2 ;;
            --heartbeat) heartbeat=${2:?--heartbeat needs a duration}; shift 2 ;;
            --job-network) JOB_NETWORK=${2:?--job-network needs none or bridge}; shift 2 ;;
            *) die "unknown option for up: '$1'" ;;
        esac
    done
    { [[ $workers =~ ^[0-9]+$ ]] && [ "$workers" -le 80 ]; } || die "--workers must be a number from 0 to 80, got '$workers'"
    [[ $gpus =~ ^[0-9]+$ ]] || die "--gpus-per-worker must be a number, got '$gpus'"
    [[ $heartbeat =~ ^[0-9]+(ms|s|m)$ ]] || die "--heartbeat must be a duration like 1s or 500ms, got '$heartbeat'"
    [[ $kind =~ ^[A-Za-z0-9_-]+$ ]] || die "--gpu-kind must be letters, digits, '_' or '-', got '$kind'"
    [[ $JOB_NETWORK =~ ^(none|bridge)$ ]] || die "--job-network must be none or bridge, got '$JOB_NETWORK'"
    [[ $pools =~ ^[a-z0-9_-]+(,[a-z0-9_-]+)*$ ]] || die "--pools must be a comma-separated list of names, got '$pools'"
    [ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces and starts dockerd)"
    command -v dockerd >/dev/null || die "dockerd not found; install it with: apt-get install -y docker.io"
    [ ${#BASE} -le 40 ] || die "BERTH_TESTBED_DIR '$BASE' is too long: dockerd's unix sockets under it must stay below 108 characters"

    local started=$SECONDS
    down
    mkdir -p "$BASE"
    IFS=, read -r -a pool_list <<<"$pools"

    ip netns add "$HUB"
    ip -n "$HUB" link set lo up
    ip -n "$HUB" link add br0 type bridge
    ip -n "$HUB" link set br0 up

    local names=() i name
    for i in $(seq 1 "$workers"); do names+=("tb-worker-$i"); done
    printf '%s\n' "${names[@]+"${names[@]}"}" | grep . >"$BASE/workers" || true

    add_namespace "$MANAGER" "$MANAGER_IP" vm
    write_start_script "$MANAGER"
    start_node "$MANAGER"
    for i in $(seq 1 "$workers"); do
        name=tb-worker-$i
        add_namespace "$name" "$NET.$((10 + i))" "vw$i"
        local resources="" g
        for g in $(seq 0 $((gpus - 1))); do resources+=" --node-generic-resource $kind=GPU-$name-$g"; done
        write_start_script "$name" "$resources"
        start_node "$name"
    done

    await_node "$MANAGER"
    dk "$MANAGER" swarm init --advertise-addr "$MANAGER_IP" --listen-addr "$MANAGER_IP:2377" \
        --default-addr-pool 10.232.0.0/16 --dispatcher-heartbeat "$heartbeat" >/dev/null
    dk "$MANAGER" node update --label-add berth.pool=manager "$MANAGER" >/dev/null
    "$HERE/../scripts/local-image.sh" "$IMAGE" "unix://$(sock "$MANAGER")" >&2
    dk "$MANAGER" save -o "$BASE/image.tar" "$IMAGE"
    local token
    token=$(dk "$MANAGER" swarm join-token -q worker)

    local jobs=()
    for i in $(seq 1 "$workers"); do
        name=tb-worker-$i
        (
            await_node "$name"
            dk "$name" swarm join --token "$token" --advertise-addr "$NET.$((10 + i))" "$MANAGER_IP:2377" >/dev/null
            dk "$name" load -q -i "$BASE/image.tar" >/dev/null
        ) &
        jobs+=($!)
    done
    for i in "${jobs[@]}"; do wait "$i" || die "a worker failed to come up; see $BASE/*/dockerd.log"; done

    for i in $(seq 1 "$workers"); do
        dk "$MANAGER" node update --label-add "berth.pool=${pool_list[$(((i - 1) % ${#pool_list[@]}))]}" "tb-worker-$i" >/dev/null
        echo "${pool_list[$(((i - 1) % ${#pool_list[@]}))]}" >"$BASE/tb-worker-$i/pool"
    done
    # What add-worker needs to make a worker like these: the next free index and the job network
    echo "$workers" >"$BASE/last-index"
    echo "$JOB_NETWORK" >"$BASE/job-network"
    await_all_ready "$((workers + 1))"
    rm -f "$BASE/image.tar"

    log "up in $((SECONDS - started))s"
    echo "BERTH_TESTBED_DIR=$BASE"
    echo "BERTH_TESTBED_DOCKER_HOST=unix://$(sock "$MANAGER")"
    echo "BERTH_TESTBED_WORKERS=$(worker_names | paste -sd, -)"
}

await_all_ready() {
    local want=$1 i ready
    for i in $(seq 1 $((READY_TIMEOUT * 10))); do
        ready=$(dk "$MANAGER" node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
        [ "$ready" = "$want" ] && return 0
        sleep 0.1
    done
    dk "$MANAGER" node ls >&2 || true
    die "only $ready of $want nodes became Ready within ${READY_TIMEOUT}s"
}

# A restarted worker answers on its socket before it is back in the swarm; a test that goes on at once
# would find the manager still holding it down, or hand it a task before its agent took up its session.
await_rejoined() {
    local node=$1 i state=
    for i in $(seq 1 $((READY_TIMEOUT * 10))); do
        if [ "$(dk "$node" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; then
            state=$(dk "$MANAGER" node inspect "$node" --format '{{.Status.State}}' 2>/dev/null || true)
            [ "$state" = ready ] && return 0
        fi
        sleep 0.1
    done
    dk "$MANAGER" node ls >&2 || true
    die "$node did not rejoin the swarm as ready within ${READY_TIMEOUT}s (manager says: ${state:-nothing})"
}

# A worker more, as an Auto Scaling group launches one: its own engine, joined, holding the job image, in POOL.
add_worker() {
    local pool= gpus=0 kind=GPU
    while [ $# -gt 0 ]; do
        case $1 in
            --pool) pool=${2:?--pool needs a name}; shift 2 ;;
            --gpus) gpus=${2:?--gpus needs a number}; shift 2 ;;
            --gpu-kind) kind=${2:?--gpu-kind needs a name}; shift 2 ;;
            *) die "unknown option for add-worker: '$1'" ;;
        esac
    done
    [[ $pool =~ ^[a-z0-9_-]+$ ]] || die "add-worker needs --pool NAME (letters, digits, '_' or '-'), got '$pool'"
    [[ $gpus =~ ^[0-9]+$ ]] || die "--gpus must be a number, got '$gpus'"
    [[ $kind =~ ^[A-Za-z0-9_-]+$ ]] || die "--gpu-kind must be letters, digits, '_' or '-', got '$kind'"
    [ -S "$(sock "$MANAGER")" ] && [ -f "$BASE/last-index" ] || die "no test bed at $BASE: run 'up' first"
    local i name resources="" g token
    i=$(($(cat "$BASE/last-index") + 1))
    [ "$i" -le 200 ] || die "the test bed has had 200 workers; its addresses are used up (run 'up' again)"
    name=tb-worker-$i
    echo "$i" >"$BASE/last-index"
    JOB_NETWORK=$(cat "$BASE/job-network")
    add_namespace "$name" "$NET.$((10 + i))" "vw$i"
    for g in $(seq 0 $((gpus - 1))); do resources+=" --node-generic-resource $kind=GPU-$name-$g"; done
    write_start_script "$name" "$resources"
    start_node "$name"
    await_node "$name"
    dk "$MANAGER" save -o "$BASE/$name/image.tar" "$IMAGE"
    dk "$name" load -q -i "$BASE/$name/image.tar" >/dev/null
    rm -f "$BASE/$name/image.tar"
    token=$(dk "$MANAGER" swarm join-token -q worker)
    dk "$name" swarm join --token "$token" --advertise-addr "$NET.$((10 + i))" "$MANAGER_IP:2377" >/dev/null
    dk "$MANAGER" node update --label-add "berth.pool=$pool" "$name" >/dev/null
    echo "$pool" >"$BASE/$name/pool"
    echo "$name" >>"$BASE/workers"
    await_rejoined "$name"
    log "added $name to pool $pool with $gpus GPUs"
    echo "$name"
}

# A worker less, as a scale-in takes one: drained, left once it runs nothing, then gone from the swarm and the machine.
remove_worker() {
    local node=$1 ns i; ns=$(nsname "$1")
    dk "$MANAGER" node update --availability drain "$node" >/dev/null
    for i in $(seq 1 $((READY_TIMEOUT * 10))); do
        [ -z "$(dk "$MANAGER" node ps "$node" --filter desired-state=running -q)" ] && break
        [ "$i" = $((READY_TIMEOUT * 10)) ] && die "$node still runs tasks ${READY_TIMEOUT}s after its drain: $(dk "$MANAGER" node ps "$node" --filter desired-state=running --format '{{.Name}}' | xargs)"
        sleep 0.1
    done
    dk "$node" swarm leave >/dev/null
    # It has left; the manager drops it without waiting for it to be reported down
    dk "$MANAGER" node rm --force "$node" >/dev/null
    kill_node "$ns"
    remove_cgroups "$ns"
    awk -v dir="$BASE/$node" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo \
        | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
    ip netns del "$ns"
    rm -rf "${BASE:?}/$node" "$(sock "$node")"
    grep -vx "$node" "$BASE/workers" >"$BASE/workers.new" || true
    mv "$BASE/workers.new" "$BASE/workers"
    log "removed $node"
}

list_workers() {
    local pool= name
    case ${1:-} in
        --pool) pool=${2:?--pool needs a name} ;;
        "") ;;
        *) die "unknown option for workers: '$1'" ;;
    esac
    for name in $(worker_names); do
        if [ -z "$pool" ] || [ "$(cat "$BASE/$name/pool" 2>/dev/null)" = "$pool" ]; then echo "$name"; fi
    done
}

status() {
    [ -S "$(sock "$MANAGER")" ] || { echo "no test bed at $BASE"; return 0; }
    echo "DOCKER_HOST=unix://$(sock "$MANAGER")"
    dk "$MANAGER" node ls --format '{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}'
    ip netns list | grep "^$PREFIX" || true
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
# One command per instance at a time (from any checkout), so that a test's restart-worker cannot interleave
# with another run's up or down. The lock file stays: removing it would let a waiting command lock a stale file.
mkdir -p /run/lock
exec 9>>"/run/lock/berth-testbed-$INSTANCE.lock"
flock -w 300 9 || die "another swarm.sh command held /run/lock/berth-testbed-$INSTANCE.lock for 5 minutes"
case $cmd in
    up) up "$@" ;;
    down) [ "$(id -u)" = 0 ] || die "must run as root"; down ;;
    status) status ;;
    kill-worker)
        [ $# = 1 ] || usage
        require_worker "$1"
        # A spot loss takes the whole machine: dockerd, containerd and the containers.
        kill_node "$(nsname "$1")" ;;
    drain-worker)
        [ $# = 1 ] || usage
        require_worker "$1"
        dk "$MANAGER" node update --availability drain "$1" >/dev/null ;;
    exec-in)
        [ $# -ge 2 ] || usage
        { [ "$1" = "$MANAGER" ] || grep -qx "$1" <(worker_names); } || die "no node named '$1' in the test bed at $BASE (nodes: $MANAGER $(worker_names | xargs))"
        ns=$(nsname "$1")
        shift
        # A command that runs long (an agent, a stand-in server) must not hold the lock; down kills it with the node
        exec 9>&-
        exec nsenter --net="/run/netns/$ns" "$@" ;;
    add-worker) [ "$(id -u)" = 0 ] || die "must run as root"; add_worker "$@" ;;
    remove-worker)
        [ $# = 1 ] || usage
        require_worker "$1"
        remove_worker "$1" ;;
    workers) list_workers "$@" ;;
    restart-worker)
        [ $# = 1 ] || usage
        require_worker "$1"
        # Whatever is left of the node (a containerd whose dockerd died, or the whole node) goes first.
        kill_node "$(nsname "$1")"
        start_node "$1"
        await_node "$1"
        await_rejoined "$1" ;;
    *) usage ;;
esac
