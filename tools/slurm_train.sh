#!/usr/bin/env bash
# Training on a Slurm cluster as a requeueable batch job, one task per GPU
# (mmengine reads the SLURM_* variables):
#   GPUS=8 tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args...]
# The job is submitted with `sbatch --requeue --signal=B:USR1@$SIGNAL_LEAD`:
# - pre-emption: Slurm sends SIGTERM; every task writes latest.pth after its
#   current iteration and stops (AtomicCheckpointHook), and Slurm requeues
#   the job (--requeue);
# - time limit: SIGUSR1 reaches this batch script SIGNAL_LEAD seconds before
#   the limit; it forwards the signal to the tasks, which save and stop in
#   the same way, and requeues the job itself (scontrol requeue).
# Every start runs train.py with --resume: it continues from the newest
# checkpoint of the work dir, or says there is none and starts from scratch.
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5),
# SIGNAL_LEAD (180 s), SBATCH_ARGS, SRUN_ARGS, PYTHON (python),
# LAUNCHER (slurm), DRY_RUN=1 prints the batch script instead of submitting.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SIGNAL_LEAD=${SIGNAL_LEAD:-180}
SBATCH_ARGS=${SBATCH_ARGS:-}
SRUN_ARGS=${SRUN_ARGS:-}
LAUNCHER=${LAUNCHER:-slurm}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-python}
TRAIN=$(printf ' %q' "$PYTHON" -u "$ROOT/tools/train.py" "$CONFIG" \
    --launcher "$LAUNCHER" --resume "$@")

ROOT_Q=$(printf '%q' "$ROOT")

batch_script() {
    cat <<EOF
#!/usr/bin/env bash
export PYTHONPATH=$ROOT_Q:\${PYTHONPATH:-}
requeue=0
srun --kill-on-bad-exit=1 $SRUN_ARGS$TRAIN &
pid=\$!
trap 'requeue=1; echo "SIGUSR1: checkpoint, stop, requeue"; kill -USR1 \$pid' USR1
trap 'echo "SIGTERM: the tasks checkpoint and stop"' TERM
while :; do  # a trapped signal interrupts wait: wait again
    wait \$pid && status=0 || status=\$?
    kill -0 \$pid 2>/dev/null || break
done
if [ "\$requeue" = 1 ]; then
    scontrol requeue "\$SLURM_JOB_ID"
fi
exit \$status
EOF
}

if [ "${DRY_RUN:-0}" = 1 ]; then
    batch_script
    exit 0
fi
# shellcheck disable=SC2086
batch_script | sbatch -p "$PARTITION" \
    --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" \
    --requeue --signal=B:USR1@"$SIGNAL_LEAD" --open-mode=append \
    --output="slurm-$JOB_NAME-%j.out" $SBATCH_ARGS
