#!/bin/sh
# Runs one real job end to end on the embedded default: the embedded queue, the local Docker
# engine (made a single-node swarm if it is not in one), and the example repository in
# examples/hello made into a git repository. Where no registry is reachable the job image is
# built locally (scripts/local-image.sh). Leaves the daemon stopped and prints the job's output.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
state=${BERTH_STATE_DIR:-${TMPDIR:-/tmp}/berth-demo}
export BERTH_STATE_DIR="$state"
export BERTH_SHARED_DIR="${BERTH_SHARED_DIR:-$state/shared}"

command -v java >/dev/null || { echo "demo: java (17 or later) is required (see README.md, Prerequisites)" >&2; exit 1; }
"$root/scripts/setup-local.sh"

if [ ! -f "$root/orchestrator/target/berth.jar" ]; then
    echo "demo: building berth (mvn -q -DskipTests package)"
    (cd "$root" && mvn -q -B -DskipTests package)
fi

repo="$state/example-repo"
rm -rf "$repo"
mkdir -p "$repo"
cp -R "$root/examples/hello/." "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=berth -c user.email=demo@berth.invalid commit -q -m "Example job"

log="$state/serve.log"
mkdir -p "$state"
"$root/berth" serve --queue-port 0 >"$log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null || true' EXIT
tries=0
until [ -f "$state/embedded-queue.json" ]; do
    tries=$((tries + 1))
    if [ $tries -gt 120 ] || ! kill -0 $serve 2>/dev/null; then
        echo "demo: berth serve did not start; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.5
done

status=0
job=$("$root/berth" submit --repo "file://$repo" --branch main --entrypoint run.sh \
    --params 'lr=0.01 "quoted" $(not run)' --cpus 0.5 --memory 128m --wait) || status=$?
job=$(echo "$job" | head -n 1)
echo
echo "== berth status $job"
"$root/berth" status "$job"
echo
echo "== stdout.txt"
"$root/berth" logs "$job"
echo "== stderr.txt"
"$root/berth" logs --stderr "$job"
echo
echo "== berth list"
"$root/berth" list
echo
echo "demo: daemon log in $log; state in $state"
exit $status
