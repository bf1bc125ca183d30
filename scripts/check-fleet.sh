#!/bin/sh
# Every check of the fleet code that is not a JUnit test:
#   - ansible-lint and ansible-playbook --syntax-check on every playbook
#   - the wiring of the Ansible tree that no container run can show: the Lustre mount after
#     network-online.target, the kernel held with its Lustre modules, handlers flushed before the
#     worker joins the swarm, the join token read by each run, the instance store before Docker, the
#     pools' instance types and the run dirs' export location passed from Terraform to the manager's
#     berth.env (BERTH_POOLS, BERTH_EXPORT_S3), the autoscaled pools' groups (BERTH_AUTOSCALE) and prices (BERTH_POOL_PRICES), each
#     worker's engine labelled with its instance id
#   - terraform fmt -check (only where the terraform CLI is installed)
#   - terraform validate against the real AWS provider's schema, where a copy of the provider is at
#     hand offline ($BERTH_TF_PLUGIN_DIR, default /opt/tf-plugins; nothing is downloaded)
#   - the workers' boot script, rendered by terraform, run in a throwaway Debian container with
#     fake apt-get, curl (the metadata service), aws and ansible-playbook: a held apt lock and a
#     failed playbook retried, a worker that never gets set up marked unhealthy in its group
#     (its instance id read through IMDSv2), a burst worker too, and one whose health call fails
#     powered off instead
#   - the out-of-swarm watchdog against a fake docker CLI: a worker out of the swarm is powered off
#     once the limit has passed, not before, not while in the swarm, a manager or dockerd silent
#   - the heartbeat agent and the manager's reconcile script run for real on a private two-node
#     swarm (own dockerds in own network namespaces) with a temp shared dir: labels, a job, an
#     idle burst worker drained, made active again when a job lands during its grace period,
#     drained again, powered off and removed; a spot worker whose agent (in the worker's network
#     namespace) finds a stand-in metadata service at 169.254.169.254: no notice while it answers
#     404, then a spot interruption notice recorded and the node drained for it for good; a worker
#     that is down but still beating kept, and removed once its heartbeat stops
#   - the worker role applied twice by ansible-playbook to a throwaway Debian container (docker
#     connection), the second run with changed=0; then the same container as a GPU host (fake
#     nvidia-smi, NVIDIA runtime and dockerd): the GPU roles, and worker-config.yml re-applied
#     with changed=0 and the GPUs kept
#   - the manager role's user, directories, launcher and units (berth_manager's install tasks)
#     applied twice to another such container, the second run with changed=0: the berth system
#     user in the docker group, the state dir berth's own (a database, mirror and run dir made
#     while berth ran as root given to berth), the unit's sandbox settings (systemd-analyze verify,
#     and the rendered unit parsed), berth.service started by the container's systemd (a fake java
#     reports its user, no_new_privs, what it may write and see), and `berth ...` run as root
#     executing as berth
#   - the manager's optional Prometheus (berth_prometheus_enabled): off by default; its config, rendered
#     by Ansible from the role's templates, passes promtool check config and scrapes berth's loopback address
# Prints a PASS/FAIL summary and exits non-zero when any check fails. Cleans up after itself.
# Runs as root with a running dockerd (network namespaces, private dockerds, test container).
#
# Debian packages it needs (CI installs them first):
#   ansible ansible-lint debootstrap docker.io busybox-static python3 iptables iproute2 util-linux jq prometheus
#
#   scripts/check-fleet.sh [check ...]     checks: lint syntax wiring fmt validate boot watchdog heartbeat worker-role manager-role prometheus (default: all)
#
# The Debian image for the boot, worker-role and manager-role checks is built once with debootstrap and kept as
# $BERTH_FLEET_TEST_IMAGE (default berth-fleet/debian-worker:12); delete it to force a rebuild.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
image=${BERTH_FLEET_TEST_IMAGE:-berth-fleet/debian-worker:12}
checks=${*:-lint syntax wiring fmt validate boot watchdog heartbeat worker-role manager-role prometheus}
plugins=${BERTH_TF_PLUGIN_DIR:-/opt/tf-plugins}
work=$(mktemp -d /tmp/berth-fleet.XXXXXX)
results=
failed=0
cleanups=

cleanup() {
    for action in $cleanups; do
        "$action" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

on_exit() {
    cleanups="$1 $cleanups"
}

record() {
    # $1 name, $2 PASS|FAIL|SKIP, $3 detail
    results="$results$(printf '%-12s %-4s %s' "$1" "$2" "$3")
"
    [ "$2" = FAIL ] && failed=$((failed + 1))
    echo "== $1: $2 $3"
}

# Polls a shell condition every 0.2 s for at most $1 seconds.
await() {
    limit=$1
    shift
    deadline=$(($(date +%s) + limit))
    while ! eval "$*"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

json_field() {
    # $1 file, $2 Python expression over the parsed object `h`
    python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

check_lint() {
    if (cd "$repo/ansible" && ansible-lint --offline -q playbooks/*.yml >"$work/lint.log" 2>&1); then
        record lint PASS "ansible-lint clean"
    else
        cat "$work/lint.log"
        record lint FAIL "ansible-lint reported problems (above)"
    fi
}

check_syntax() {
    bad=
    for playbook in "$repo"/ansible/playbooks/*.yml; do
        (cd "$repo/ansible" && ansible-playbook --syntax-check -i localhost, "$playbook") >"$work/syntax.log" 2>&1 || {
            cat "$work/syntax.log"
            bad="$bad $(basename "$playbook")"
        }
    done
    if [ -z "$bad" ]; then
        record syntax PASS "$(ls "$repo"/ansible/playbooks/*.yml | wc -l) playbooks"
    else
        record syntax FAIL "syntax errors in:$bad"
    fi
}

# Reads the roles' YAML and the boot script; each rule prints what is wrong, nothing when right.
check_wiring() {
    if python3 - "$repo" >"$work/wiring.log" 2>&1 <<'PY'
import pathlib, sys, yaml

repo = pathlib.Path(sys.argv[1])
roles = repo / "ansible" / "roles"
problems = []

def load(path):
    return yaml.safe_load((roles / path).read_text())

def task_index(tasks, predicate):
    """Index of the first top-level task (or block holding one) that matches, -1 if none."""
    for index, task in enumerate(tasks):
        if predicate(task) or any(predicate(inner) for inner in task.get("block", [])):
            return index
    return -1

# The Lustre mount: Ubuntu has no network.service; requiring it fails the mount at every boot.
options = load("lustre_client/defaults/main.yml")["lustre_client_mount_options"].split(",")
if "x-systemd.requires=network-online.target" not in options:
    problems.append("lustre mount options lack x-systemd.requires=network-online.target: " + ",".join(options))
if any("network.service" in option for option in options):
    problems.append("lustre mount options name network.service, which Ubuntu does not have")

# The kernel stays the one the Lustre modules were installed for.
lustre = load("lustre_client/tasks/main.yml")
installs = [task for task in lustre if "ansible.builtin.apt" in task]
packages = [name for task in installs for name in task["ansible.builtin.apt"].get("name", [])]
if "lustre-client-modules-{{ ansible_kernel }}" not in packages or "lustre-client-modules-aws" in packages:
    problems.append("lustre_client must install the modules of the running kernel only, got %s" % packages)
held = load("lustre_client/defaults/main.yml").get("lustre_client_held_kernel_packages", [])
hold = [task for task in lustre if task.get("ansible.builtin.dpkg_selections", {}).get("selection") == "hold"]
if not hold or not {"linux-aws", "linux-image-aws", "linux-image-{{ ansible_kernel }}"} <= set(held):
    problems.append("lustre_client does not hold the kernel packages (linux-aws, linux-image-aws, the running kernel's image)")

# Docker restarted by a handler after joining would kill the first tasks: flush first.
join = load("swarm_worker/tasks/main.yml")
flush = task_index(join, lambda task: task.get("ansible.builtin.meta") == "flush_handlers")
joined = task_index(join, lambda task: "swarm join" in str(task.get("ansible.builtin.command", "")))
if joined < 0:
    problems.append("swarm_worker has no docker swarm join task")
elif not 0 <= flush < joined:
    problems.append("swarm_worker does not flush handlers (a pending docker restart) before it joins the swarm")

# Docker's data on the instance store: mounted before Docker starts, by label, and a blank disk
# (after a stop and start) must not stop the host from booting.
worker_roles = [role if isinstance(role, str) else role["role"] for role in
                yaml.safe_load((repo / "ansible" / "playbooks" / "worker.yml").read_text())[0]["roles"]]
if "instance_store" not in worker_roles or worker_roles.index("instance_store") > worker_roles.index("docker_engine"):
    problems.append("worker.yml must apply instance_store before docker_engine, got %s" % worker_roles)
store_options = load("instance_store/defaults/main.yml")["instance_store_mount_options"].split(",")
if not {"nofail", "x-systemd.before=docker.service"} <= set(store_options):
    problems.append("instance store mount options need nofail and x-systemd.before=docker.service: " + ",".join(store_options))
store = load("instance_store/tasks/main.yml")
store_block = next((task["block"] for task in store if "block" in task), [])
formats = [task["community.general.filesystem"] for task in store_block if "community.general.filesystem" in task]
mounts = [task["ansible.posix.mount"] for task in store_block if "ansible.posix.mount" in task]
if not formats or formats[0].get("force") or not mounts or mounts[0].get("path") != "/var/lib/docker" or not str(mounts[0].get("src")).startswith("LABEL="):
    problems.append("instance_store must format without force and mount by label at /var/lib/docker")

# The join token is read in the same run as the join, so a retried boot uses the current one.
block = next((task["block"] for task in join if "block" in task), [])
read = task_index(block, lambda task: "ansible.builtin.slurp" in task)
joins = task_index(block, lambda task: "swarm join" in str(task.get("ansible.builtin.command", "")))
if not 0 <= read < joins or "cacheable" in str(join):
    problems.append("swarm_worker must read the join token afresh right before it joins")

# The pools' instance types reach berth: Terraform's local.berth_pools in the manager's boot vars, the
# manager role's berth.env writing them as BERTH_POOLS in the form berth reads, nothing when there are none.
import json, re, jinja2
terraform = repo / "terraform" / "aws" / "swarm"
compute = (terraform / "compute.tf").read_text()
manager = compute[compute.index('resource "aws_instance" "manager"'):compute.index('resource "aws_launch_template" "worker"')]
if not re.search(r"berth_pools\s*=\s*local\.berth_pools", manager):
    problems.append("the manager's boot vars lack berth_pools = local.berth_pools")
pools_local = (terraform / "main.tf").read_text()
for field in ("pool", "instance_type", "cpus", "memory_mib", "gpus", "scale_variable"):
    if not re.search(r"^\s*" + field + r"\s*=", pools_local, re.M):
        problems.append("terraform's local.berth_pools lacks the field %s that berth.env.j2 writes" % field)
if load("berth_manager/defaults/main.yml").get("berth_pools") != []:
    problems.append("berth_manager's defaults must set berth_pools: [] (a manager set up by hand writes no BERTH_POOLS)")
# As Ansible's template module renders it (trim_blocks)
template = jinja2.Environment(trim_blocks=True).from_string((roles / "berth_manager/templates/berth.env.j2").read_text())
pools = [{"pool": "spot", "instance_type": "m6i.2xlarge", "cpus": 8, "memory_mib": 32768, "gpus": 0, "scale_variable": "worker_count"},
         {"pool": "gpu", "instance_type": "g5.xlarge", "cpus": 4, "memory_mib": 16384, "gpus": 1, "scale_variable": "gpu_worker_count"}]
written = [line for line in template.render(berth_pools=pools).splitlines() if line.startswith("BERTH_POOLS")]
if written != ["BERTH_POOLS=spot:m6i.2xlarge:8:32768m:0:worker_count,gpu:g5.xlarge:4:16384m:1:gpu_worker_count"]:
    problems.append("berth.env.j2 writes the pools as %s, not as BERTH_POOLS=pool:type:cpus:memory:gpus:variable,..." % written)
if "BERTH_POOLS" in template.render(berth_pools=[]):
    problems.append("berth.env.j2 writes BERTH_POOLS with no pools")
# The run dirs' export location reaches berth: the runs association's path in the manager's boot vars,
# written as BERTH_EXPORT_S3, nothing when there is none.
if not re.search(r"berth_export_s3\s*=\s*aws_fsx_data_repository_association\.runs\.data_repository_path", manager):
    problems.append("the manager's boot vars lack berth_export_s3 = aws_fsx_data_repository_association.runs.data_repository_path")
if load("berth_manager/defaults/main.yml").get("berth_export_s3") != "":
    problems.append("berth_manager's defaults must set berth_export_s3: \"\" (a manager set up by hand writes no BERTH_EXPORT_S3)")
exported = [line for line in template.render(berth_pools=[], berth_export_s3="s3://bucket/berth/runs").splitlines() if line.startswith("BERTH_EXPORT_S3")]
if exported != ["BERTH_EXPORT_S3=s3://bucket/berth/runs"]:
    problems.append("berth.env.j2 writes the export location as %s, not as BERTH_EXPORT_S3=s3://bucket/prefix/runs" % exported)
if "BERTH_EXPORT_S3" in template.render(berth_pools=[], berth_export_s3=""):
    problems.append("berth.env.j2 writes BERTH_EXPORT_S3 with no export")

# The autoscaled pools reach berth: Terraform's local.berth_autoscale (pools and their groups, no size, so
# that an apply changing one leaves the manager alone) in the manager's boot vars, written as BERTH_AUTOSCALE;
# each worker's engine labelled with its instance id, by which berth names a drained worker to its group.
if not re.search(r"berth_autoscale\s*=\s*local\.berth_autoscale", manager):
    problems.append("the manager's boot vars lack berth_autoscale = local.berth_autoscale")
autoscale_local = pools_local[pools_local.index("berth_autoscale = ["):]
autoscale_local = autoscale_local[:autoscale_local.index("]")]
autoscaled = dict(re.findall(r'\{\s*pool\s*=\s*"([a-z]+)"\s*,\s*group\s*=\s*(local\.[a-z_]+)\s*\}', autoscale_local))
if re.search(r"_count|_max", autoscale_local) or autoscaled != {"spot": "local.worker_group", "gpu": "local.gpu_worker_group", "burst": "local.burst_worker_group"}:
    problems.append("terraform's local.berth_autoscale must name the spot, gpu and burst groups (local.worker_group, local.gpu_worker_group, local.burst_worker_group) and no size, got %s" % autoscaled)
# Each of those groups is a pool's Auto Scaling group, named by that local, tagged with that pool
for pool, group_local in autoscaled.items():
    found = re.search(r'resource "aws_autoscaling_group" "[a-z_]+" \{(?:(?!\nresource ).)*?name\s*=\s*' + re.escape(group_local) + r'\n(?:(?!\nresource ).)*?key\s*=\s*"berth-pool"\s*value\s*=\s*"' + pool + '"', compute, re.S)
    if not found:
        problems.append("no Auto Scaling group in compute.tf is named %s and tagged berth-pool=%s" % (group_local, pool))
if 'resource "aws_instance" "burst_worker"' in compute:
    problems.append("the burst pool must be an Auto Scaling group (BERTH_AUTOSCALE scales it), not aws_instance.burst_worker")
if load("berth_manager/defaults/main.yml").get("berth_autoscale") != []:
    problems.append("berth_manager's defaults must set berth_autoscale: [] (a manager set up by hand scales nothing)")
written = [line for line in template.render(berth_pools=pools, berth_autoscale=[{"pool": "spot", "group": "berth-a-workers"},
           {"pool": "gpu", "group": "berth-a-gpu-workers"}, {"pool": "burst", "group": "berth-a-burst-workers"}]).splitlines() if line.startswith("BERTH_AUTOSCALE")]
if written != ["BERTH_AUTOSCALE=spot:berth-a-workers,gpu:berth-a-gpu-workers,burst:berth-a-burst-workers"]:
    problems.append("berth.env.j2 writes the autoscaled pools as %s, not as BERTH_AUTOSCALE=pool:group,..." % written)
if "BERTH_AUTOSCALE" in template.render(berth_pools=pools, berth_autoscale=[]):
    problems.append("berth.env.j2 writes BERTH_AUTOSCALE with no autoscaled pools")
# The pools' prices reach berth: Terraform's local.berth_pool_prices in the manager's boot vars, written as
# BERTH_POOL_PRICES in the form berth reads, nothing when there are none.
if not re.search(r"berth_pool_prices\s*=\s*local\.berth_pool_prices", manager):
    problems.append("the manager's boot vars lack berth_pool_prices = local.berth_pool_prices")
if load("berth_manager/defaults/main.yml").get("berth_pool_prices") != []:
    problems.append("berth_manager's defaults must set berth_pool_prices: [] (a manager set up by hand writes no BERTH_POOL_PRICES)")
written = [line for line in template.render(berth_pools=pools, berth_pool_prices=[{"pool": "spot", "instance_type": "m6i.2xlarge", "usd_per_hour": 0.15, "market": "spot"},
           {"pool": "gpu", "instance_type": "g5.xlarge", "usd_per_hour": 1.006, "market": "on-demand"}]).splitlines() if line.startswith("BERTH_POOL_PRICES")]
if written != ["BERTH_POOL_PRICES=spot:m6i.2xlarge:0.150000:spot,gpu:g5.xlarge:1.006000:on-demand"]:
    problems.append("berth.env.j2 writes the prices as %s, not as BERTH_POOL_PRICES=pool:type:usd:market,..." % written)
if "BERTH_POOL_PRICES" in template.render(berth_pools=pools, berth_pool_prices=[]):
    problems.append("berth.env.j2 writes BERTH_POOL_PRICES with no prices")
daemon_json = jinja2.Environment(trim_blocks=True).from_string((roles / "docker_config/templates/daemon.json.j2").read_text())
labelled = json.loads(daemon_json.render(berth_pool="gpu", berth_lifecycle="spot", berth_instance_id="i-0abc", docker_config_gpu_ids=[], gpu_kind="GPU"))
unlabelled = json.loads(daemon_json.render(berth_pool="gpu", berth_lifecycle="spot", berth_instance_id="", docker_config_gpu_ids=[], gpu_kind="GPU"))
if "berth.instance-id=i-0abc" not in labelled.get("labels", []) or any(label.startswith("berth.instance-id") for label in unlabelled.get("labels", [])):
    problems.append("daemon.json.j2 must label the engine berth.instance-id=<id> when berth_instance_id is set, and not otherwise")
if load("docker_config/defaults/main.yml").get("berth_instance_id") != "":
    problems.append("docker_config's defaults must set berth_instance_id: \"\" (a host set up by hand has no instance label)")
if "berth_instance_id=$instance_id" not in (terraform / "boot.sh.tftpl").read_text():
    problems.append("the boot script must hand the instance id to Ansible as berth_instance_id")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY
    then
        record wiring PASS "Lustre mount after network-online.target, kernel held with its Lustre modules, handlers flushed before the swarm join, join token read afresh by each run, instance store mounted at /var/lib/docker before Docker, the pools' instance types and the export location from Terraform in berth.env as BERTH_POOLS and BERTH_EXPORT_S3, the autoscaled pools' groups as BERTH_AUTOSCALE, their prices as BERTH_POOL_PRICES, each engine labelled with its instance id"
    else
        cat "$work/wiring.log"
        record wiring FAIL "wiring problems (above)"
    fi
}

check_fmt() {
    if ! command -v terraform >/dev/null 2>&1; then
        record fmt SKIP "terraform CLI not installed"
    elif terraform fmt -check -recursive -diff "$repo/terraform" >"$work/fmt.log" 2>&1; then
        record fmt PASS "terraform fmt -check"
    else
        cat "$work/fmt.log"
        record fmt FAIL "terraform fmt would change files (diff above)"
    fi
}

check_validate() {
    if ! command -v terraform >/dev/null 2>&1; then
        record validate SKIP "terraform CLI not installed"
        return
    fi
    if ! ls "$plugins"/registry.terraform.io/hashicorp/aws/*/* >/dev/null 2>&1; then
        record validate SKIP "no AWS provider at $plugins to validate against offline"
        return
    fi
    # In a copy: init writes .terraform/ and a lock file beside the module
    cp -r "$repo/terraform/aws/swarm" "$work/tf"
    if (cd "$work/tf" && terraform init -backend=false -input=false -plugin-dir="$plugins" >"$work/tf-init.log" 2>&1 \
            && terraform validate -no-color >"$work/tf-validate.log" 2>&1); then
        record validate PASS "terraform validate against $(ls "$plugins"/registry.terraform.io/hashicorp/aws | tail -n 1) of the AWS provider"
    else
        cat "$work/tf-init.log" "$work/tf-validate.log" 2>/dev/null
        record validate FAIL "terraform validate found errors (above)"
    fi
}

# The boot script as Terraform renders it for a worker.
render_boot_script() {
    mkdir -p "$work/render"
    cat >"$work/render/main.tf" <<TF
output "script" {
  value = templatefile("$repo/terraform/aws/swarm/boot.sh.tftpl", {
    playbook = "worker.yml", region = "us-east-1", fleet_source = "s3://bucket/berth/fleet/", vars = "{}"
  })
}
TF
    (cd "$work/render" && terraform init -input=false && terraform apply -auto-approve -input=false &&
        terraform output -raw script >"$work/boot.sh") >"$work/render.log" 2>&1
}

# Fakes of what the boot script calls, each logging its arguments to /fake/calls. apt-get finds
# its lock held once; ansible-playbook fails until /fake/ansible-ok exists; the metadata service
# answers only with a token from a PUT.
install_boot_fakes() {
    put_in_container /fake/bin/apt-get 0755 <<'FAKE'
#!/bin/sh
echo "apt-get $*" >>/fake/calls
if [ ! -e /fake/apt-was-locked ]; then
    touch /fake/apt-was-locked
    echo "E: Could not get lock /var/lib/apt/lists/lock" >&2
    exit 100
fi
FAKE
    put_in_container /fake/bin/curl 0755 <<'FAKE'
#!/bin/sh
echo "curl $*" >>/fake/calls
case "$*" in
    *"-X PUT"*/latest/api/token*) echo imds-token; exit 0 ;;
esac
case "$*" in *"X-aws-ec2-metadata-token: imds-token"*) ;; *) exit 22 ;; esac
case "$*" in
    */meta-data/instance-id) echo i-0fleetcheck ;;
    */meta-data/tags/instance/berth-pool) cat /fake/pool ;;
    */meta-data/tags/instance/berth-lifecycle) cat /fake/lifecycle ;;
    *) exit 22 ;;
esac
FAKE
    put_in_container /fake/bin/aws 0755 <<'FAKE'
#!/bin/sh
echo "aws $*" >>/fake/calls
[ ! -e /fake/aws-fails ]
FAKE
    put_in_container /fake/bin/ansible-playbook 0755 <<'FAKE'
#!/bin/sh
echo "ansible-playbook $*" >>/fake/calls
[ -e /fake/ansible-ok ]
FAKE
    printf '#!/bin/sh
echo poweroff >>/fake/calls
' | put_in_container /fake/bin/poweroff 0755
}

# Boots the rendered script once as a worker of pool/lifecycle $1/$2; $3 non-empty lets Ansible succeed,
# $4 non-empty makes every aws call fail.
boot_worker() {
    in_container sh -c "rm -f /fake/calls /fake/apt-was-locked /fake/ansible-ok /fake/aws-fails /var/log/berth-boot.log && touch /fake/calls &&
        mkdir -p /opt/berth/fleet/ansible &&
        echo $1 >/fake/pool && echo $2 >/fake/lifecycle && { [ -z '$3' ] || touch /fake/ansible-ok; } && { [ -z '${4:-}' ] || touch /fake/aws-fails; }"
    docker exec -e PATH=/fake/bin:/usr/bin:/bin -e BERTH_BOOT_RETRY_PAUSE=0 -e BERTH_BOOT_POWEROFF_COMMAND=poweroff \
        "$container_name" sh /boot.sh
    boot_status=$?
    in_container cat /fake/calls >"$work/boot-calls"
    in_container cat /var/log/berth-boot.log >"$work/boot.log" 2>/dev/null
}

calls() {
    grep -c -- "$1" "$work/boot-calls"
}

check_boot() {
    if ! command -v terraform >/dev/null 2>&1; then
        record boot SKIP "terraform CLI not installed"
        return
    fi
    if ! render_boot_script; then
        cat "$work/render.log"
        record boot FAIL "terraform could not render boot.sh.tftpl"
        return
    fi
    if ! ensure_test_image; then
        record boot FAIL "cannot build $image with debootstrap"
        return
    fi
    saved_container=${container_name:-}
    container_name=berth-fleet-boot-$$
    docker run -d --name "$container_name" --network none "$image" sleep infinity >/dev/null || {
        record boot FAIL "cannot start the test container"
        return
    }
    on_exit remove_boot_container
    put_in_container /boot.sh 0755 <"$work/boot.sh"
    install_boot_fakes
    problems=
    unhealthy="aws --region us-east-1 autoscaling set-instance-health --instance-id i-0fleetcheck --health-status Unhealthy --no-should-respect-grace-period"

    # A spot worker whose playbook never succeeds: retried, then marked unhealthy
    boot_worker spot spot ""
    [ "$boot_status" != 0 ] || problems="$problems failed-boot-exit-0"
    [ "$(calls '^apt-get -o DPkg::Lock::Timeout=600 update')" = 2 ] || problems="$problems apt-lock-not-retried"
    [ "$(calls '^ansible-playbook .*playbooks/worker.yml')" = 3 ] || problems="$problems playbook-tries=$(calls '^ansible-playbook')"
    [ "$(calls "^$unhealthy\$")" = 1 ] || problems="$problems not-marked-unhealthy"
    [ "$(calls '^poweroff')" = 0 ] || problems="$problems spot-powered-off"
    # Every metadata read has a token of its own (IMDSv2), none goes without
    [ "$(calls '^curl .*meta-data/')" = "$(calls '^curl .*X-aws-ec2-metadata-token: imds-token')" ] || problems="$problems imds-without-token"
    first_calls=$(wc -l <"$work/boot-calls")

    # A burst worker is in a group too, which replaces it
    boot_worker burst burst ""
    [ "$boot_status" != 0 ] && [ "$(calls "^$unhealthy\$")" = 1 ] && [ "$(calls '^poweroff')" = 0 ] || problems="$problems burst-not-marked-unhealthy"

    # A worker whose health call fails (in no group, say) powers off: a stopped instance fails its group's check too
    boot_worker burst burst "" aws-fails
    [ "$(calls "^$unhealthy\$")" = 1 ] && [ "$(calls '^poweroff')" = 1 ] || problems="$problems failed-health-call-not-powered-off"

    # A worker whose playbook succeeds stays, healthy
    boot_worker spot spot ok
    [ "$boot_status" = 0 ] && [ "$(calls 'set-instance-health')" = 0 ] && [ "$(calls '^poweroff')" = 0 ] &&
        [ "$(calls '^ansible-playbook .*-e berth_pool=spot -e berth_lifecycle=spot')" = 1 ] || problems="$problems good-boot($boot_status)"

    container_name=$saved_container
    if [ -z "$problems" ]; then
        record boot PASS "apt lock waited for and retried, playbook tried 3 times, then marked unhealthy through IMDSv2's instance id ($first_calls calls); a burst worker marked unhealthy too; powered off when that call fails; a good boot left alone"
    else
        cat "$work/boot-calls" "$work/boot.log"
        record boot FAIL "boot script:$problems"
    fi
}

remove_boot_container() {
    docker rm -f "berth-fleet-boot-$$"
}

# Runs the watchdog once with a fake docker answering "$1" (a LocalNodeState/ControlAvailable
# pair, or "down" for a dockerd that does not answer) and a clock of $2 seconds since the epoch.
watchdog_at() {
    printf '%s\n' "$1" >"$work/watchdog/answer"
    PATH=$work/watchdog/bin:$PATH FAKE_NOW=$2 SWARM_WATCHDOG_LIMIT=1800 SWARM_WATCHDOG_STATE=$work/watchdog/run/since \
        SWARM_WATCHDOG_POWEROFF_COMMAND="echo \$FAKE_NOW >>'$work/watchdog/powered-off'" \
        sh "$repo/heartbeat/berth-swarm-watchdog" 2>>"$work/watchdog/log"
}

powered_off() {
    [ -s "$work/watchdog/powered-off" ]
}

check_watchdog() {
    mkdir -p "$work/watchdog/bin"
    cat >"$work/watchdog/bin/docker" <<'FAKE'
#!/bin/sh
answer=$(cat "$(dirname "$0")/../answer")
[ "$answer" != down ] || exit 1
echo "$answer"
FAKE
    printf '#!/bin/sh\nif [ "$1" = +%%s ]; then echo "$FAKE_NOW"; else exec /bin/date "$@"; fi\n' >"$work/watchdog/bin/date"
    chmod +x "$work/watchdog/bin/docker" "$work/watchdog/bin/date"
    problems=
    watchdog_at active/false 1000 && ! powered_off || problems="$problems in-swarm"
    watchdog_at inactive/false 2000 && ! powered_off || problems="$problems first-out"
    watchdog_at inactive/false 3799 && ! powered_off || problems="$problems before-limit"
    # dockerd silent past the limit: nothing decided, the clock kept
    watchdog_at down 3900 && ! powered_off || problems="$problems powered-off-without-dockerd"
    # back in the swarm resets the clock
    watchdog_at active/false 3950 && [ ! -e "$work/watchdog/run/since" ] || problems="$problems not-reset"
    watchdog_at pending/false 4000 && watchdog_at pending/false 5000 && ! powered_off || problems="$problems reset-ignored"
    watchdog_at error/false 5800 && [ "$(cat "$work/watchdog/powered-off" 2>/dev/null)" = 5800 ] || problems="$problems not-powered-off-at-limit"
    rm -f "$work/watchdog/powered-off" "$work/watchdog/run/since"
    watchdog_at inactive/true 1 && watchdog_at inactive/true 9999 && ! powered_off || problems="$problems manager-powered-off"
    if [ -z "$problems" ]; then
        record watchdog PASS "out of the swarm 30 min -> powered off, not at 29:59, not while dockerd is silent; rejoining resets; a manager never"
    else
        cat "$work/watchdog/log"
        record watchdog FAIL "watchdog:$problems"
    fi
}

# Two dockerds of our own, a swarm manager and a worker, each in its own network namespace
# joined by one veth pair and nothing else: the check sees only its own containers, never
# touches the machine's engine or network, and sends no traffic beyond the pair.
netns_prefix=bfleet$$

start_node() {
    # $1 node name (m or w), $2 its address on the pair
    ns=$netns_prefix$1
    node_dir=$work/$1
    mkdir -p "$node_dir"
    nsenter --net="/var/run/netns/$ns" unshare --uts sh -c "hostname fleet-check-$1; exec dockerd \
        --data-root '$node_dir/data' --exec-root '$node_dir/x' --pidfile '$node_dir/pid' \
        -H 'unix://$node_dir/sock' --bridge=none --iptables=false --ip-masq=false" \
        >"$work/dockerd-$1.log" 2>&1 &
    echo $! >>"$work/dockerd.pids"
    await 30 "docker -H 'unix://$node_dir/sock' info >/dev/null 2>&1"
}

start_private_swarm() {
    on_exit stop_private_swarm
    ip netns add "${netns_prefix}m" && ip netns add "${netns_prefix}w" || return 1
    ip link add "${netns_prefix}a" netns "${netns_prefix}m" type veth peer name "${netns_prefix}b" netns "${netns_prefix}w" || return 1
    ip -n "${netns_prefix}m" addr add 10.250.0.1/30 dev "${netns_prefix}a"
    ip -n "${netns_prefix}w" addr add 10.250.0.2/30 dev "${netns_prefix}b"
    for side in m:a w:b; do
        ip -n "$netns_prefix${side%%:*}" link set lo up
        ip -n "$netns_prefix${side%%:*}" link set "$netns_prefix${side#*:}" up
    done
    manager_host=unix://$work/m/sock
    worker_host=unix://$work/w/sock
    start_node m && start_node w || return 1
    docker -H "$manager_host" swarm init --advertise-addr 10.250.0.1 --listen-addr 10.250.0.1:2377 >/dev/null || return 1
    token=$(docker -H "$manager_host" swarm join-token -q worker) || return 1
    docker -H "$worker_host" swarm join --token "$token" --advertise-addr 10.250.0.2 --listen-addr 10.250.0.2:2377 \
        10.250.0.1:2377 >/dev/null || return 1
    worker_node=$(docker -H "$worker_host" info --format '{{.Swarm.NodeID}}')
    [ -n "$worker_node" ]
}

stop_private_swarm() {
    [ -f "$work/dockerd.pids" ] && for pid in $(cat "$work/dockerd.pids"); do
        kill "$pid" 2>/dev/null
        await 20 "! kill -0 $pid 2>/dev/null"
    done
    ip netns delete "${netns_prefix}m" 2>/dev/null
    ip netns delete "${netns_prefix}w" 2>/dev/null
    # A dockerd stopped while in a swarm leaves its sandboxes' namespaces mounted in its exec root.
    awk -v dir="$work/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | while read -r mount; do
        umount "$mount"
    done
    return 0
}

stop_agent() {
    for pidfile in "$work/agent.pid" "$work/agent2.pid" "$work/reconcile.pid" "$work/metadata.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    return 0
}

node_field() {
    docker -H "$manager_host" node inspect --format "$1" "$worker_node" 2>/dev/null
}

# A stand-in for the instance metadata service at 169.254.169.254:80 inside the worker's network
# namespace: IMDSv2's token first (PUT with a TTL), each document only with it; spot/instance-action
# is 404 until $work/instance-action exists, the rebalance recommendation always 404. It counts the
# instance-action requests that came with a token in $work/metadata.polls.
start_metadata_stand_in() {
    ip -n "${netns_prefix}w" addr add 169.254.169.254/32 dev lo || return 1
    cat >"$work/metadata.py" <<'PY'
import http.server, os, sys, uuid
work = sys.argv[1]
tokens = set()
polls = 0
class StandIn(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_PUT(self):
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if self.path != "/latest/api/token" or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.answer(400)
        token = uuid.uuid4().hex
        tokens.add(token)
        self.answer(200, token.encode())
    def do_GET(self):
        global polls
        if self.headers.get("X-aws-ec2-metadata-token") not in tokens:
            return self.answer(401)
        if self.path == "/latest/meta-data/spot/instance-action":
            polls += 1
            with open(os.path.join(work, "metadata.polls"), "w") as counter:
                counter.write(str(polls))
            notice = os.path.join(work, "instance-action")
            if os.path.exists(notice):
                return self.answer(200, open(notice, "rb").read())
        self.answer(404)
http.server.HTTPServer(("169.254.169.254", 80), StandIn).serve_forever()
PY
    nsenter --net="/var/run/netns/${netns_prefix}w" python3 "$work/metadata.py" "$work" >"$work/metadata.log" 2>&1 &
    echo $! >"$work/metadata.pid"
    await 10 "nsenter --net=/var/run/netns/${netns_prefix}w python3 -c 'import socket; socket.create_connection((\"169.254.169.254\", 80), 1)' 2>/dev/null"
}

# The burst protocol end to end: the agent on the worker, the reconcile script on the manager,
# a real one-shot Swarm job placed by the pool label that reconcile applied.
check_heartbeat() {
    if ! start_private_swarm; then
        tail -5 "$work"/dockerd-*.log 2>/dev/null
        record heartbeat FAIL "could not start the private two-node swarm"
        return
    fi
    "$repo/scripts/local-image.sh" berth-local/busybox:1 "$worker_host" >/dev/null || {
        record heartbeat FAIL "cannot build the busybox job image"
        return
    }
    shared=$work/shared
    beat=$shared/.swarm/workers/burst-test-1
    idle_limit=6
    DOCKER_HOST=$worker_host BERTH_SHARED_DIR=$shared HEARTBEAT_HOSTNAME=burst-test-1 \
        HEARTBEAT_POOL=burst HEARTBEAT_LIFECYCLE=burst HEARTBEAT_GPUS=GPU-test0,GPU-test1 \
        HEARTBEAT_INTERVAL=1 HEARTBEAT_IDLE_LIMIT=$idle_limit HEARTBEAT_DRAIN_GRACE=10 \
        HEARTBEAT_POWEROFF_COMMAND="date +%s >$work/powered-off" HEARTBEAT_METADATA_URL=off HEARTBEAT_NVIDIA_SMI=off \
        sh "$repo/heartbeat/berth-heartbeat" >"$work/agent.log" 2>&1 &
    echo $! >"$work/agent.pid"
    on_exit stop_agent
    gone_after=5
    (while :; do
        DOCKER_HOST=$manager_host BERTH_SHARED_DIR=$shared BERTH_RECONCILE_GONE_AFTER=$gone_after \
            sh "$repo/heartbeat/berth-fleet-reconcile"
        sleep 1
    done) >"$work/reconcile.log" 2>&1 &
    echo $! >"$work/reconcile.pid"

    if ! await 20 "[ \"\$(node_field '{{index .Spec.Labels \"berth.pool\"}}/{{index .Spec.Labels \"berth.lifecycle\"}}')\" = burst/burst ]"; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "reconcile never labelled the worker node berth.pool=burst"
        return
    fi
    # What berth does: a one-shot job service, placed by pool, its container labelled with job and attempt.
    docker -H "$manager_host" service create --detach --quiet --name berth-job-42-1 --mode replicated-job \
        --restart-condition none --constraint node.labels.berth.pool==burst \
        --container-label berth.job=job-42 --container-label berth.attempt=1 \
        berth-local/busybox:1 sleep 6 >/dev/null 2>&1 || { record heartbeat FAIL "cannot create the job service"; return; }
    if ! await 30 "[ \"\$(json_field '$beat' '[j[\"job\"] + \"/\" + j[\"attempt\"] for j in h[\"jobs\"]]')\" = \"['job-42/1']\" ]"; then
        cat "$beat" 2>/dev/null
        record heartbeat FAIL "heartbeat never listed the running job"
        return
    fi
    busy_ok=$(json_field "$beat" 'h["state"] == "active" and h["gpus"] == ["GPU-test0", "GPU-test1"] and h["node_id"] == "'"$worker_node"'"')
    if ! await 30 "[ \"\$(json_field '$beat' 'len(h[\"jobs\"])')\" = 0 ]"; then
        record heartbeat FAIL "heartbeat still lists the job after it finished"
        return
    fi
    idle_from=$(date +%s)
    if [ -e "$work/powered-off" ]; then
        record heartbeat FAIL "powered off right after the job ended, before the idle limit"
        return
    fi
    if ! await 20 "[ \"\$(node_field '{{.Spec.Availability}}')\" = drain ]"; then
        cat "$work/agent.log" "$work/reconcile.log"
        record heartbeat FAIL "the idle burst worker was never drained"
        return
    fi
    drained_at=$(date +%s)
    # A job landing during the drain grace period: the agent goes back to work, and the manager
    # must undo its drain, or the worker would sit drained until it powers off.
    docker -H "$worker_host" run -d --rm --network none --label berth.job=job-43 --label berth.attempt=1 \
        berth-local/busybox:1 sleep 3 >/dev/null || { record heartbeat FAIL "cannot start the late job's container"; return; }
    if ! await 20 "[ \"\$(node_field '{{.Spec.Availability}}/{{index .Spec.Labels \"berth.drained-by\"}}')\" = active/ ]"; then
        cat "$work/agent.log" "$work/reconcile.log"
        record heartbeat FAIL "the worker went back to work during its grace period but stayed $(node_field '{{.Spec.Availability}}')"
        return
    fi
    if [ -e "$work/powered-off" ]; then
        record heartbeat FAIL "powered off although a job landed during the grace period"
        return
    fi
    if ! await 40 "[ \"\$(node_field '{{.Spec.Availability}}')\" = drain ]"; then
        cat "$work/agent.log" "$work/reconcile.log"
        record heartbeat FAIL "the burst worker, idle again, was never drained again"
        return
    fi
    if ! await 20 "[ -e '$work/powered-off' ]"; then
        cat "$work/agent.log"
        record heartbeat FAIL "no power-off within 20 s of draining"
        return
    fi
    idle_for=$(($(cat "$work/powered-off") - idle_from))
    left=$(docker -H "$worker_host" info --format '{{.Swarm.LocalNodeState}}')
    if ! await 60 "! docker -H '$manager_host' node inspect '$worker_node' >/dev/null 2>&1"; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "the powered-off node was never removed from the swarm (it is $(node_field '{{.Status.State}}'))"
        return
    fi
    final=$(json_field "$beat" 'h["state"]')
    if [ "$busy_ok" != True ] || [ "$idle_for" -lt "$idle_limit" ] || [ "$final" != off ] || [ "$left" != inactive ]; then
        record heartbeat FAIL "busy fields ok=$busy_ok, powered off after ${idle_for}s (limit $idle_limit), swarm state $left, final agent state $final"
        return
    fi
    burst="busy during the job; idle ${idle_limit}s -> drained ($((drained_at - idle_from))s), back to work -> active, drained again, left, powered off (${idle_for}s), node removed"

    # A spot worker that goes away without a word, as one does when its group scales in: kept
    # while down but still beating (a brief outage), removed once its heartbeat stops too.
    docker -H "$manager_host" swarm update --dispatcher-heartbeat 1s >/dev/null
    docker -H "$worker_host" swarm join --token "$token" --advertise-addr 10.250.0.2 --listen-addr 10.250.0.2:2377 \
        10.250.0.1:2377 >/dev/null || { record heartbeat FAIL "$burst; the worker could not join again"; return; }
    worker_node=$(docker -H "$worker_host" info --format '{{.Swarm.NodeID}}')
    # The spot worker's agent runs in the worker's own network namespace, as on an instance, with the
    # metadata service's default address: a stand-in there answers 404 until AWS "announces" the reclaim.
    if ! start_metadata_stand_in; then
        cat "$work/metadata.log" 2>/dev/null
        record heartbeat FAIL "$burst; cannot start the stand-in metadata service in the worker's namespace"
        return
    fi
    DOCKER_HOST=$worker_host BERTH_SHARED_DIR=$shared HEARTBEAT_HOSTNAME=spot-test-1 \
        HEARTBEAT_POOL=spot HEARTBEAT_LIFECYCLE=spot HEARTBEAT_INTERVAL=1 \
        nsenter --net="/var/run/netns/${netns_prefix}w" sh "$repo/heartbeat/berth-heartbeat" >"$work/agent2.log" 2>&1 &
    echo $! >"$work/agent2.pid"
    spot_beat=$shared/.swarm/workers/spot-test-1
    if ! await 20 "[ \"\$(node_field '{{index .Spec.Labels \"berth.pool\"}}')\" = spot ]"; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "$burst; reconcile never labelled the spot worker"
        return
    fi
    # Four polls answered 404, then a few more heartbeats and reconcile runs: no notice, no drain
    await 20 "[ \"\$(cat '$work/metadata.polls' 2>/dev/null || echo 0)\" -ge 4 ]" && sleep 2
    if [ "$(json_field "$spot_beat" 'h["spot_notice"] is None')" != True ] || [ "$(node_field '{{.Spec.Availability}}')" != active ]; then
        cat "$spot_beat" "$work/agent2.log" "$work/metadata.log" 2>/dev/null
        record heartbeat FAIL "$burst; a metadata service answering 404 should mean no notice and no drain"
        return
    fi
    echo '{"action": "terminate", "time": "2026-12-01T23:40:00Z"}' >"$work/instance-action"
    if ! await 20 "[ \"\$(json_field '$spot_beat' 'h[\"spot_notice\"][\"action\"] + \" \" + h[\"spot_notice\"][\"time\"]')\" = 'terminate 2026-12-01T23:40:00Z' ]"; then
        cat "$spot_beat" "$work/agent2.log" "$work/metadata.log" 2>/dev/null
        record heartbeat FAIL "$burst; the agent never recorded the spot interruption notice"
        return
    fi
    if ! await 20 "[ \"\$(node_field '{{.Spec.Availability}}/{{index .Spec.Labels \"berth.drained-by\"}}')\" = drain/spot-notice ]"; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "$burst; reconcile never drained the noticed worker for its notice"
        return
    fi
    # Fresh "active" heartbeats undo a drain for idleness, never one for a notice
    sleep 4
    if [ "$(node_field '{{.Spec.Availability}}/{{index .Spec.Labels "berth.drained-by"}}')" != drain/spot-notice ] ||
        [ "$(json_field "$spot_beat" 'h["state"]')" != active ]; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "$burst; the worker drained for a spot notice did not stay drained"
        return
    fi
    burst="$burst; spot notice (IMDSv2 stand-in) recorded, drained for good"
    kill "$(cat "$work/metadata.pid")" 2>/dev/null
    kill "$(cat "$work/w/pid")"
    if ! await 30 "[ \"\$(node_field '{{.Status.State}}')\" = down ]"; then
        record heartbeat FAIL "$burst; the spot worker's node never went down after its dockerd stopped"
        return
    fi
    sleep $((gone_after + 3))
    if ! docker -H "$manager_host" node inspect "$worker_node" >/dev/null 2>&1; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "$burst; a down node whose agent still writes its heartbeat was removed"
        return
    fi
    kill "$(cat "$work/agent2.pid")"
    silent_from=$(date +%s)
    if ! await 30 "! docker -H '$manager_host' node inspect '$worker_node' >/dev/null 2>&1"; then
        cat "$work/reconcile.log"
        record heartbeat FAIL "$burst; a down node with a stopped heartbeat was never removed"
        return
    fi
    record heartbeat PASS "$burst; a down worker kept while beating, removed $(($(date +%s) - silent_from))s after its heartbeat stopped"
}

ensure_test_image() {
    if docker image inspect "$image" >/dev/null 2>&1; then
        return 0
    fi
    echo "building $image with debootstrap (once; kept for later runs)"
    # python3 for Ansible, iptables for the DOCKER-USER rules, systemd for systemctl enable.
    debootstrap --variant=minbase --include=python3,iptables,systemd bookworm "$work/rootfs" \
        "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 || {
        tail -20 "$work/debootstrap.log"
        return 1
    }
    tar -C "$work/rootfs" -c . | docker import -c 'CMD ["sleep", "infinity"]' - "$image" >/dev/null
    rm -rf "$work/rootfs"
}

remove_test_container() {
    docker rm -f "$container_name"
}

remove_manager_container() {
    docker rm -f "$manager_container"
}

# Runs a playbook against the test container: $1 the playbook (absolute, or relative to
# ansible/), the rest extra ansible arguments; later -e settings win over the defaults here.
apply_playbook() {
    playbook=$1
    shift
    (cd "$repo/ansible" && ansible-playbook -i "$container_name," -c community.docker.docker \
        -e ansible_become=false -e berth_manage_services=false \
        -e berth_pool=burst -e berth_lifecycle=burst -e burst_idle_minutes=30 \
        "$@" "$playbook") >"$work/apply.log" 2>&1
    status=$?
    cat "$work/apply.log" >>"$work/apply-all.log"
    changed=$(sed -n "s/^$container_name.*changed=\([0-9]*\).*/\1/p" "$work/apply.log")
    return $status
}

apply_worker_role() {
    apply_playbook playbooks/worker-config.yml
}

in_container() {
    docker exec "$container_name" "$@"
}

# Writes stdin to a file in the test container; $1 path, $2 mode.
put_in_container() {
    docker exec -i "$container_name" sh -c "mkdir -p \"\$(dirname '$1')\" && cat >'$1' && chmod $2 '$1'"
}

apply_gpu_worker() {
    apply_playbook "$1" -e berth_pool=gpu -e berth_lifecycle=spot -e "berth_fleet_dir=$repo"
}

# The fake GPUs are the Swarm generic resources, nvidia the default runtime, and the heartbeat lists them.
gpu_ok() {
    in_container python3 -c 'import json; d = json.load(open("/etc/docker/daemon.json")); assert d["node-generic-resources"] == ["GPU=GPU-aaaa", "GPU=GPU-bbbb"] and d["default-runtime"] == "nvidia" and "berth.pool=gpu" in d["labels"], d' &&
        in_container grep -qx 'HEARTBEAT_GPUS=GPU-aaaa,GPU-bbbb' /etc/berth/heartbeat.env
}

# The test container made a GPU host as the Deep Learning AMI is one: the NVIDIA driver's
# nvidia-smi, the container runtime and docker-ce already there (fakes: the container has no
# network, so installing any of them would fail). Appends to $problems.
check_gpu_host() {
    put_in_container /usr/bin/nvidia-smi 0755 <<'FAKE'
#!/bin/sh
if [ -e /etc/fake-nvidia-broken ]; then
    echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
    exit 9
fi
printf 'GPU-aaaa\nGPU-bbbb\n'
FAKE
    printf '#!/bin/sh\necho "Docker version 27.5.1, build 9f9e405"\n' | put_in_container /usr/bin/dockerd 0755
    printf '#!/bin/sh\nexit 0\n' | put_in_container /usr/bin/nvidia-container-runtime 0755
    # The toolkit's generated file: no swarm-resource line at all, and a table at the end.
    put_in_container /etc/nvidia-container-runtime/config.toml 0644 <<'TOML'
#accept-nvidia-visible-devices-as-volume-mounts = false
#accept-nvidia-visible-devices-envvar-when-unprivileged = true
disable-require = false
supported-driver-capabilities = "compat32,compute,display,graphics,ngx,utility,video"

[nvidia-container-cli]
environment = []
ldconfig = "@/sbin/ldconfig.real"
load-kmods = true

[nvidia-container-runtime]
log-level = "info"
mode = "auto"
runtimes = ["docker-runc", "runc", "crun"]

[nvidia-container-runtime.modes.cdi]
default-kind = "nvidia.com/gpu"
TOML
    # worker.yml's roles for a GPU worker, less Lustre and swarm membership.
    mkdir -p "$work/playbooks"
    ln -sfn "$repo/ansible/playbooks/group_vars" "$work/playbooks/group_vars"
    cat >"$work/playbooks/gpu-worker.yml" <<'PLAY'
---
- name: GPU worker as worker.yml sets one up, without Lustre and swarm membership
  hosts: all
  roles:
    - docker_engine
    - nvidia_gpu
    - nvidia
    - docker_config
    - heartbeat
PLAY
    if ! apply_gpu_worker "$work/playbooks/gpu-worker.yml"; then
        tail -30 "$work/apply.log"
        problems="$problems gpu-apply"
        return
    fi
    gpu_first=$changed
    gpu_ok || problems="$problems gpu-daemon.json"
    # A real TOML parser: the key must be at the top level, not inside the last table.
    in_container python3 -c 'import tomllib; c = tomllib.load(open("/etc/nvidia-container-runtime/config.toml", "rb")); assert c["swarm-resource"] == "DOCKER_RESOURCE_GPU" and "swarm-resource" not in c["nvidia-container-runtime"]["modes"]["cdi"], c' ||
        problems="$problems swarm-resource-not-top-level"
    if ! apply_gpu_worker "$work/playbooks/gpu-worker.yml" || [ "$changed" != 0 ]; then
        tail -30 "$work/apply.log"
        problems="$problems gpu-reapply-changed=$changed"
    fi
    # The way an operator re-applies a worker's configuration: no nvidia role in that playbook.
    if ! apply_gpu_worker playbooks/worker-config.yml || [ "$changed" != 0 ]; then
        tail -30 "$work/apply.log"
        problems="$problems gpu-worker-config-changed=$changed"
    fi
    gpu_ok || problems="$problems gpu-lost-on-worker-config"
    # A driver that stopped answering must fail the run, not configure the host without GPUs.
    in_container touch /etc/fake-nvidia-broken
    if apply_gpu_worker playbooks/worker-config.yml || ! grep -q "lists no GPU" "$work/apply.log"; then
        tail -30 "$work/apply.log"
        problems="$problems broken-driver-accepted"
    fi
    in_container rm -f /etc/fake-nvidia-broken
    gpu_ok || problems="$problems gpu-lost-on-broken-driver"
}

check_worker_role() {
    started_at=$(date +%s)
    if ! ensure_test_image; then
        record worker-role FAIL "cannot build $image with debootstrap"
        return
    fi
    container_name=berth-fleet-worker-$$
    # No network: the role must apply from what the image holds. NET_ADMIN lets the rules
    # script manage iptables inside the container's own network namespace.
    docker run -d --name "$container_name" --network none --cap-add NET_ADMIN "$image" sleep infinity >/dev/null || {
        record worker-role FAIL "cannot start the test container"
        return
    }
    on_exit remove_test_container

    if ! apply_worker_role; then
        tail -30 "$work/apply.log"
        record worker-role FAIL "first apply failed"
        return
    fi
    first=$changed
    if ! apply_worker_role || [ "$changed" != 0 ]; then
        tail -30 "$work/apply.log"
        record worker-role FAIL "second apply was not idempotent (changed=$changed)"
        return
    fi
    problems=
    in_container python3 -c 'import json; d = json.load(open("/etc/docker/daemon.json")); assert "berth.pool=burst" in d["labels"] and "default-runtime" not in d' ||
        problems="$problems daemon.json"
    in_container iptables -S DOCKER-USER | grep -q -- '-d 169.254.169.254/32 .*-j DROP' || problems="$problems metadata-rule"
    in_container iptables -S DOCKER-USER | grep -q -- '--dports 2377,7946,988,1018:1023 .*-j DROP' || problems="$problems swarm-lustre-rule"
    in_container iptables -S DOCKER-USER | grep -q -- '-p udp .*--dports 7946,4789 .*-j DROP' || problems="$problems swarm-udp-rule"
    for bridge in docker0 docker_gwbridge; do
        in_container iptables -S INPUT | grep -q -- "-i $bridge -p tcp .*--dports 2377,7946,988,1018:1023 .*-j DROP" || problems="$problems input-tcp-rule-$bridge"
        in_container iptables -S INPUT | grep -q -- "-i $bridge -p udp .*--dports 7946,4789 .*-j DROP" || problems="$problems input-udp-rule-$bridge"
    done
    [ "$(in_container systemctl is-enabled berth-heartbeat.service 2>/dev/null)" = enabled ] || problems="$problems unit-not-enabled"
    in_container grep -qx 'HEARTBEAT_IDLE_LIMIT=1800' /etc/berth/heartbeat.env || problems="$problems heartbeat.env"
    in_container test -x /usr/local/bin/berth-heartbeat || problems="$problems agent-missing"
    [ "$(in_container systemctl is-enabled berth-swarm-watchdog.timer 2>/dev/null)" = enabled ] || problems="$problems watchdog-timer-not-enabled"
    in_container grep -qx 'Environment=SWARM_WATCHDOG_LIMIT=1800' /etc/systemd/system/berth-swarm-watchdog.service || problems="$problems watchdog-limit"
    in_container test -x /usr/local/bin/berth-swarm-watchdog || problems="$problems watchdog-missing"

    # An instance type without instance store: the role finds no disk and leaves Docker's data alone
    mkdir -p "$work/playbooks"
    ln -sfn "$repo/ansible/playbooks/group_vars" "$work/playbooks/group_vars"
    printf -- '---\n- name: Instance store as worker.yml applies it\n  hosts: all\n  roles:\n    - instance_store\n' >"$work/playbooks/instance-store.yml"
    if ! apply_playbook "$work/playbooks/instance-store.yml" || [ "$changed" != 0 ] || in_container grep -q /var/lib/docker /etc/fstab; then
        tail -30 "$work/apply.log"
        problems="$problems instance-store-without-disk"
    fi

    check_gpu_host
    if [ -z "$problems" ]; then
        record worker-role PASS "applied (changed=$first), re-applied (changed=0); GPU host: roles applied (changed=$gpu_first) and again (changed=0), worker-config re-applied (changed=0, GPUs kept), broken driver refused; $(($(date +%s) - started_at))s"
    else
        tail -30 "$work/apply.log"
        record worker-role FAIL "wrong after apply:$problems"
    fi
}

# The manager role's install tasks, as manager.yml applies them, less packages and services.
manager_install_playbook() {
    mkdir -p "$work/playbooks"
    ln -sfn "$repo/ansible/playbooks/group_vars" "$work/playbooks/group_vars"
    cat >"$work/playbooks/manager-install.yml" <<'PLAY'
---
- name: The berth user, directories, launcher and units, as the manager role installs them
  hosts: all
  tasks:
    - name: Apply berth_manager's install tasks
      ansible.builtin.include_role:
        name: berth_manager
        tasks_from: install
PLAY
}

apply_manager_install() {
    apply_playbook "$work/playbooks/manager-install.yml" -e "berth_fleet_dir=$repo" -e "berth_manager_jar_source=$work/berth.jar" \
        -e queue_url=https://sqs.us-east-1.amazonaws.com/123456789012/berth-jobs.fifo
}

# The [Service] settings of the rendered unit, one KEY=value a line, as systemd reads them
# (a later line of the same key adds to a list setting; this unit has none twice).
unit_settings() {
    in_container python3 -c '
import sys
section = None
for raw in open(sys.argv[1]):
    line = raw.strip()
    if not line or line[0] in "#;":
        continue
    if line.startswith("["):
        section = line
    elif section == "[Service]":
        key, _, value = line.partition("=")
        print(key.strip() + "=" + value.strip())
' /etc/systemd/system/berth.service
}

check_manager_role() {
    started_at=$(date +%s)
    if ! ensure_test_image; then
        record manager-role FAIL "cannot build $image with debootstrap"
        return
    fi
    manager_container=berth-fleet-manager-$$
    # systemd as PID 1 (it needs CAP_SYS_ADMIN and the cgroup tree), so that berth.service runs for real
    docker run -d --name "$manager_container" --network none --cap-add SYS_ADMIN --tmpfs /run --tmpfs /run/lock \
        -v /sys/fs/cgroup:/sys/fs/cgroup:ro "$image" /lib/systemd/systemd >/dev/null || {
        record manager-role FAIL "cannot start the test container"
        return
    }
    on_exit remove_manager_container
    # apply_playbook and the helpers act on $container_name
    saved_container=${container_name:-}
    container_name=$manager_container
    # A stand-in for Java, which the container lacks: it says who runs it, in which groups, with what;
    # as berth serve, it tries what the unit's sandbox allows and forbids, writes that down, and stays up
    put_in_container /usr/bin/java 0755 <<'FAKE'
#!/bin/sh
echo "java as $(id -un) in $(id -Gn | tr ' ' ','), BERTH_CONFIG=$BERTH_CONFIG: $*"
[ "${*##* }" = serve ] || exit 0
try() { if sh -c "$2" 2>/dev/null; then echo "$1=yes"; else echo "$1=no"; fi; }
{
    echo "user=$(id -un)"
    echo "groups=$(id -Gn | tr ' ' ',')"
    echo "no_new_privs=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status)"
    try write_state 'touch /var/lib/berth/probe'
    try write_shared 'touch /mnt/shared/runs/probe'
    try write_open_dir_elsewhere 'touch /srv/open/probe'
    try write_tmp 'touch /tmp/probe'
    try see_outer_tmp 'test -e /tmp/outer-marker'
    try see_home 'test -e /home/someone/readable'
} >/var/lib/berth/sandbox.report.tmp
mv /var/lib/berth/sandbox.report.tmp /var/lib/berth/sandbox.report
exec sleep infinity
FAKE
    # A manager set up while berth ran as root: its database, a mirror and a run dir are root's
    in_container sh -c 'mkdir -p /var/lib/berth /mnt/shared/mirrors/old.git /mnt/shared/runs/old && echo old >/var/lib/berth/berth.db &&
        touch /mnt/shared/mirrors/old.git/config /mnt/shared/runs/old/job.json'
    printf 'not a real jar\n' >"$work/berth.jar"
    manager_install_playbook

    problems=
    if ! apply_manager_install; then
        tail -30 "$work/apply.log"
        record manager-role FAIL "first apply failed"
        container_name=$saved_container
        return
    fi
    first=$changed
    if ! apply_manager_install || [ "$changed" != 0 ]; then
        tail -30 "$work/apply.log"
        problems="$problems reapply-changed=$changed"
    fi

    passwd=$(in_container getent passwd berth)
    uid=$(echo "$passwd" | cut -d: -f3)
    [ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$(echo "$passwd" | cut -d: -f6-7)" = /var/lib/berth:/usr/sbin/nologin ] ||
        problems="$problems user($passwd)"
    in_container id -nG berth | tr ' ' '\n' | grep -qx docker || problems="$problems not-in-docker-group"
    [ "$(in_container stat -c '%U:%G %a' /var/lib/berth)" = "berth:berth 750" ] || problems="$problems state-dir($(in_container stat -c '%U:%G %a' /var/lib/berth))"
    for file in /var/lib/berth/berth.db /mnt/shared/mirrors/old.git/config /mnt/shared/runs/old/job.json; do
        [ "$(in_container stat -c '%U:%G' "$file")" = berth:berth ] || problems="$problems still-root's:$file"
    done
    for dir in runs mirrors; do
        [ "$(in_container stat -c '%U:%G' "/mnt/shared/$dir")" = berth:berth ] || problems="$problems shared-$dir"
    done
    [ "$(in_container stat -c '%U:%G %a' /etc/berth/berth.env)" = "root:berth 640" ] || problems="$problems berth.env($(in_container stat -c '%U:%G %a' /etc/berth/berth.env))"
    [ "$(in_container stat -c '%U %a' /opt/berth/berth.jar)" = "root 644" ] || problems="$problems jar-owner"

    # The unit: what systemd itself makes of it, then each sandbox setting
    verify=
    if in_container sh -c 'command -v systemd-analyze' >/dev/null; then
        # docker.service is what the engine's package installs; a stand-in, so that Requires= resolves
        printf '[Service]\nExecStart=/bin/true\n' | put_in_container /etc/systemd/system/docker.service 0644
        if in_container systemd-analyze verify /etc/systemd/system/berth.service >"$work/verify.log" 2>&1; then
            verify="systemd-analyze verify clean"
        else
            cat "$work/verify.log"
            problems="$problems systemd-analyze-verify"
        fi
        in_container rm -f /etc/systemd/system/docker.service
        exposure=$(in_container systemd-analyze security --offline=true --no-pager /etc/systemd/system/berth.service 2>/dev/null |
            sed -n 's/.*Overall exposure level for berth.service: \([0-9.]*\).*/\1/p')
        [ -n "$exposure" ] && verify="$verify, exposure $exposure (systemd-analyze security)"
    else
        verify="no systemd-analyze in the container"
    fi
    unit_settings >"$work/unit.settings" || problems="$problems unit-unreadable"
    for setting in User=berth Group=berth NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
            "ReadWritePaths=/var/lib/berth /mnt/shared" "ExecStart=/usr/local/bin/berth serve" EnvironmentFile=/etc/berth/berth.env; do
        grep -qxF "$setting" "$work/unit.settings" || problems="$problems unit:${setting%%=*}"
    done

    # berth.service started by systemd: the fake java reports from inside its sandbox
    sandbox=
    if await 30 "in_container systemctl is-system-running 2>/dev/null | grep -Eq '^(running|degraded)\$'"; then
        # berth-writable by its mode but outside ReadWritePaths; a file in the host's /tmp; a readable home
        in_container sh -c 'mkdir -p /srv/open /home/someone && chmod 1777 /srv/open && touch /tmp/outer-marker /home/someone/readable'
        printf '[Service]\nExecStart=/bin/sleep infinity\n' | put_in_container /etc/systemd/system/docker.service 0644
        in_container systemctl daemon-reload
        if in_container systemctl start berth.service && await 20 "in_container test -e /var/lib/berth/sandbox.report"; then
            report=$(in_container cat /var/lib/berth/sandbox.report | tr '\n' ' ')
            [ "$report" = "user=berth groups=berth,docker no_new_privs=1 write_state=yes write_shared=yes write_open_dir_elsewhere=no write_tmp=yes see_outer_tmp=no see_home=no " ] ||
                problems="$problems sandbox($report)"
            [ "$(in_container systemctl is-active berth.service)" = active ] || problems="$problems service-not-active"
            in_container systemctl stop berth.service
            sandbox="berth.service run by systemd: as berth in docker, no new privileges, writes only state and shared dirs, private /tmp, no /home"
        else
            in_container systemctl status --no-pager berth.service
            in_container journalctl --no-pager -u berth.service | tail -20
            problems="$problems service-did-not-start"
        fi
    else
        sandbox="berth.service not started: systemd does not boot in a container on this machine"
    fi

    # sudo berth ...: root's command runs as berth, with berth's groups; berth's own runs as itself
    as_root=$(in_container /usr/local/bin/berth list --state running)
    expected_args="-Xmx1g -XX:TieredStopAtLevel=1 -jar /opt/berth/berth.jar list --state running"
    [ "$as_root" = "java as berth in berth,docker, BERTH_CONFIG=/etc/berth/berth.env: $expected_args" ] ||
        problems="$problems root-runs($as_root)"
    as_berth=$(in_container setpriv --reuid=berth --regid=berth --init-groups /usr/local/bin/berth list --state running)
    [ "$as_berth" = "java as berth in berth,docker, BERTH_CONFIG=/etc/berth/berth.env: $expected_args" ] ||
        problems="$problems berth-runs($as_berth)"

    container_name=$saved_container
    if [ -z "$problems" ]; then
        record manager-role PASS "applied (changed=$first), re-applied (changed=0); berth uid $uid in docker, state dir berth:berth 750, what berth made as root given to it; $verify; $sandbox; sudo berth runs as berth; $(($(date +%s) - started_at))s"
    else
        tail -30 "$work/apply.log"
        record manager-role FAIL "wrong after apply:$problems"
    fi
}

# The manager's Prometheus: rendered from the role's templates and defaults as the role writes them,
# then read by Prometheus's own config checker.
check_prometheus() {
    if ! command -v promtool >/dev/null 2>&1; then
        record prometheus SKIP "promtool not installed (Debian package prometheus)"
        return
    fi
    role=$repo/ansible/roles/berth_manager
    mkdir -p "$work/prometheus"
    cat >"$work/prometheus/render.yml" <<PLAY
---
- name: Render the manager's Prometheus files as the berth_manager role writes them
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files:
    - $role/defaults/main.yml
  tasks:
    - name: Render the role's Prometheus templates
      ansible.builtin.template:
        src: "$role/templates/{{ item }}.j2"
        dest: "$work/prometheus/{{ item }}"
        mode: "0644"
      loop: [prometheus.yml, prometheus.default]
PLAY
    problems=
    (cd "$repo/ansible" && ansible-playbook -i localhost, "$work/prometheus/render.yml") >"$work/prometheus.log" 2>&1 || problems="$problems render"
    [ "$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["berth_prometheus_enabled"])' "$role/defaults/main.yml")" = False ] ||
        problems="$problems not-off-by-default"
    if [ -z "$problems" ]; then
        promtool check config "$work/prometheus/prometheus.yml" >>"$work/prometheus.log" 2>&1 || problems="$problems promtool-check-config"
        grep -qF '"127.0.0.1:8080"' "$work/prometheus/prometheus.yml" || problems="$problems target"
        grep -qF -- '--web.listen-address=127.0.0.1:9090' "$work/prometheus/prometheus.default" || problems="$problems listen-address"
    fi
    if [ -z "$problems" ]; then
        record prometheus PASS "off by default; the role's config passes promtool check config, scrapes 127.0.0.1:8080/metrics, listens on loopback"
    else
        cat "$work/prometheus.log"
        record prometheus FAIL "wrong:$problems"
    fi
}

for check in $checks; do
    case $check in
        lint) check_lint ;;
        syntax) check_syntax ;;
        wiring) check_wiring ;;
        fmt) check_fmt ;;
        validate) check_validate ;;
        boot) check_boot ;;
        watchdog) check_watchdog ;;
        heartbeat) check_heartbeat ;;
        worker-role) check_worker_role ;;
        manager-role) check_manager_role ;;
        prometheus) check_prometheus ;;
        *) record "$check" FAIL "unknown check (known: lint syntax wiring fmt validate boot watchdog heartbeat worker-role manager-role prometheus)" ;;
    esac
done

echo
echo "fleet checks:"
printf '%s' "$results"
if [ "$failed" -gt 0 ]; then
    echo "FAIL: $failed check(s) failed"
    exit 1
fi
echo "PASS"
