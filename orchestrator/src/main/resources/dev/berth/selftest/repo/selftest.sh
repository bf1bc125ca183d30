#!/bin/sh
# berth's self-test job (berth selftest sends it). Multiplies two matrices on the CPU and, when
# the job was given GPUs (SELFTEST_GPUS), on a GPU, with the best library the image has: numpy
# (or torch) on the CPU, torch or cupy on a GPU; with no numpy it multiplies smaller ones with
# awk. Each product is checked. The output ends with "selftest: OK" only when every part passed:
# berth selftest looks for that line.
set -u
cd "$(dirname "$0")" || exit 1

gpus=${SELFTEST_GPUS:-0}
failed=""
echo "selftest: job ${BERTH_JOB_ID:-?}, attempt ${BERTH_ATTEMPT:-?}, on $(hostname), commit ${BERTH_COMMIT:-?}"

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done

# The CPU part without numpy: 120x120 integers, which every awk multiplies exactly (and slowly)
awk_cpu() {
    n=120
    seed=20240101
    product=$(mktemp) || return 1
    awk -v n=$n -v seed=$seed -f matrices.awk -f matmul.awk >"$product" \
        && awk -v n=$n -v seed=$seed -v why="$1" -f matrices.awk -f check.awk "$product"
    status=$?
    rm -f "$product"
    return $status
}

if [ -n "$python" ]; then
    "$python" selftest.py cpu
    status=$?
    if [ $status -eq 3 ]; then
        awk_cpu "no numpy in this image" || failed="$failed cpu"
    elif [ $status -ne 0 ]; then
        failed="$failed cpu"
    fi
else
    awk_cpu "no numpy in this image (no python)" || failed="$failed cpu"
fi

if [ "$gpus" -gt 0 ]; then
    # Swarm names the GPUs it assigned in DOCKER_RESOURCE_<kind>
    assigned=$(env | sed -n 's/^DOCKER_RESOURCE_//p' | tr '\n' ' ')
    assigned=${assigned% }
    echo "gpu: asked for $gpus, assigned: ${assigned:-none}"
    if command -v nvidia-smi >/dev/null 2>&1; then
        nvidia-smi -L 2>&1 | sed 's/^/gpu: nvidia-smi: /'
    fi
    if [ -n "$python" ]; then
        "$python" selftest.py gpu
        status=$?
        if [ $status -eq 3 ]; then
            echo "gpu: FAILED: this image has no GPU library that sees a device (torch or cupy with CUDA); run the self-test with --image naming one that has"
        fi
        [ $status -eq 0 ] || failed="$failed gpu"
    else
        echo "gpu: FAILED: this image has no python, so no GPU library (torch or cupy); run the self-test with --image naming one that has"
        failed="$failed gpu"
    fi
fi

if [ -n "$failed" ]; then
    echo "selftest: FAILED:$failed"
    exit 1
fi
echo "selftest: OK"
