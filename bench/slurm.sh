#!/usr/bin/env bash
# README's Slurm job array, run for real (issue 25, item 1): starts a
# one-node Slurm cluster on this machine (munged, slurmctld, slurmd, as
# root, from a temporary folder), submits the job script of README's
# "Workers, resume and shards" as it stands there with `sbatch --array`,
# merges the labels, validates, and checks that every output equals an
# unsharded run's byte for byte; then runs the array again, cancels one task
# in the middle of its clips (scancel), resubmits that task alone and checks
# the same. Stops the daemons it started (by their pids) whatever happens.
# Not part of the test suite (it installs and runs system daemons):
#
#   sudo bench/slurm.sh [CLIPS_DIR]   (default: ../shared/testdata/videos, else samples/)
#
# The script's 16 tasks run with --cpus-per-task=1 --mem=1G given to sbatch
# (command-line options override the script's #SBATCH lines), on a node
# that declares 8 CPUs and 16 GB whatever it has (SlurmdParameters=
# config_overrides): 8 tasks at a time, sharing the machine's real cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clips=${1:-$root/../shared/testdata/videos}
[[ -d "$clips" ]] || clips=$root/samples
tasks=16  # the script's array
submit=(sbatch --cpus-per-task=1 --mem=1G)
signprep=$root/build/signprep
[[ $(id -u) == 0 ]] || { echo "bench/slurm.sh: run as root (it starts munged and slurmd)" >&2; exit 2; }
[[ -x "$signprep" ]] || { echo "bench/slurm.sh: build signprep first (scripts/setup)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/signprep-slurm.XXXXXX)
pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
  echo "daemons stopped; files in $work"
}
trap stop_daemons EXIT

start() {  # start DAEMON PIDFILE ARGS...: runs a daemon that forks, records its pid
  local pidfile=$2
  "$1" "${@:3}"
  for _ in $(seq 50); do [[ -s "$pidfile" ]] && break; sleep 0.2; done
  pids+=("$(cat "$pidfile")")
}

mkdir -p "$work"/{state,spool,log}
start /usr/sbin/munged "$work/munged.pid" --force --socket="$work/munge.socket" \
  --pid-file="$work/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge.seed"
host=$(hostname)
cat > "$work/slurm.conf" <<CONF
ClusterName=signprep
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$work/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=8 RealMemory=16000 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
start /usr/sbin/slurmctld "$work/slurmctld.pid" -f "$SLURM_CONF"
start /usr/sbin/slurmd "$work/slurmd.pid" -f "$SLURM_CONF"
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %T | grep -q idle || { echo "the node did not come up: $work/log" >&2; exit 1; }

# The job script, exactly as README shows it.
awk '/^A Slurm job array of/{found=1} found && /^```bash$/{take=1; next}
     take && /^```$/{exit} take' "$root/README.md" > "$work/job.sh"
[[ -s "$work/job.sh" ]] || { echo "README's job script not found" >&2; exit 1; }
echo "== README's job script"; cat "$work/job.sh"

# What the script runs needs: signprep on PATH, its models, and InceptionV3
# weights (random ones, fixed seed, where the real ones are not installed:
# the comparison is of sharded against unsharded, not of the features).
export PATH=$root/build:$PATH SIGNPREP_MODELS_DIR=$root/models
if [[ -z "${SIGNPREP_IV3_WEIGHTS:-}" && ! -f "$root/models/inception_v3.safetensors" ]]; then
  /usr/bin/python3 -c "import sys; sys.path.insert(0, '$root/tests/features');
import iv3_reference; iv3_reference.write_random_weights('$work/iv3.safetensors')"
  export SIGNPREP_IV3_WEIGHTS=$work/iv3.safetensors
fi

same_as_unsharded() {  # OUT: every file but the run reports equals the unsharded run's
  local out=$1 bad=0
  while IFS= read -r -d '' file; do
    local name=${file#"$work/unsharded/"}
    [[ $name == run_report* || $name == .signprep* ]] && continue
    cmp -s "$file" "$out/$name" || { echo "differs: $name"; bad=1; }
  done < <(find "$work/unsharded" -type f -print0)
  local ours theirs
  ours=$(cd "$out" && find . -type f ! -name 'run_report*' ! -name 'labels.shard-*' ! -name '.signprep*' | sort)
  theirs=$(cd "$work/unsharded" && find . -type f ! -name 'run_report*' ! -name '.signprep*' | sort)
  [[ "$ours" == "$theirs" ]] || { echo "the file lists differ"; diff <(echo "$ours") <(echo "$theirs") || true; bad=1; }
  return $bad
}

echo "== unsharded run"
"$signprep" "$clips" "$work/unsharded" --write-keypoints --write-iv3-features --workers 2 --id 0 \
  > "$work/log/unsharded.log" 2>&1

echo "== sbatch --array=0-$((tasks - 1)) (README's script, OUT=$work/sharded)"
CLIPS=$clips OUT=$work/sharded "${submit[@]}" --array=0-$((tasks - 1)) --wait \
  -o "$work/log/task_%a.log" "$work/job.sh"
"$signprep" merge-labels "$work/sharded"
"$signprep" validate "$work/sharded"
same_as_unsharded "$work/sharded" && echo "sharded = unsharded: every file byte for byte"

echo "== cancel a task in the middle of its clips, resubmit it alone (--resume)"
CLIPS=$clips OUT=$work/cancelled "${submit[@]}" --array=0-$((tasks - 1)) \
  -o "$work/log/cancelled_%a.log" "$work/job.sh" > "$work/job_id"
job=$(grep -o '[0-9]*' "$work/job_id")
cancelled=
for _ in $(seq 1200); do  # the first task seen working on a clip
  for ((k = 0; k < tasks; k++)); do
    journal=$work/cancelled/run_report.shard-$((k + 1))-of-$tasks.journal
    if [[ -f "$journal" ]] && squeue -h -t R -j "${job}_$k" 2>/dev/null | grep -q .; then
      cancelled=$k
      break 2
    fi
  done
  sleep 0.25
done
[[ -n "$cancelled" ]] || { echo "no task was seen running" >&2; exit 1; }
sleep 1
scancel "${job}_$cancelled"
while squeue -h -j "$job" | grep -q .; do sleep 0.5; done
echo "task $cancelled cancelled: $(tail -n 1 "$work/log/cancelled_$cancelled.log")"
CLIPS=$clips OUT=$work/cancelled "${submit[@]}" --array="$cancelled" --wait \
  -o "$work/log/resubmitted.log" "$work/job.sh"
"$signprep" merge-labels "$work/cancelled"
"$signprep" validate "$work/cancelled"
same_as_unsharded "$work/cancelled" && echo "cancelled and resumed = unsharded: every file byte for byte"
