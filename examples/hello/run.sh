#!/bin/sh
# berth's example job: shows what a job sees. ENTRYPOINT_PARAMS arrives as an environment variable.
echo "hello from berth: job $BERTH_JOB_ID, attempt $BERTH_ATTEMPT, commit $BERTH_COMMIT"
echo "ENTRYPOINT_PARAMS=$ENTRYPOINT_PARAMS"
echo "GPUs: ${DOCKER_RESOURCE_GPU:-none}"
echo "working directory: $(pwd)"
ls
echo "this line goes to stderr.txt" >&2
