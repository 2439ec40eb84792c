#!/bin/sh
# Issue 11: the pretext tasks side by side on CIFAR-10. Every method trains the same backbone
# (vit-tiny, 4 px patches) for the same time on the same 10,000 images (spread evenly over the
# classes) with the same seed; each run's own end-of-run kNN probe (a fixed fifth of the images held
# out as queries, never trained on) is set against the random-init baseline of the same backbone that
# the run measured on the same split.
#
# Usage: bench/pretext_tasks/run.sh CIFAR_TRAIN_DIR WORK_DIR [BUDGET] [METHOD...]
#   CIFAR_TRAIN_DIR  ../shared/data/cifar10-train.tar.zst unpacked: the folder of class folders
#   WORK_DIR         outside the repository: the database, checkpoints and logs go there
#   BUDGET           training time per method (default 8m), or a step count (a plain number: the
#                    same work whatever else the machine is doing)
#   METHOD...        default: beit mae rotnet
#   BACKBONE         environment: the backbone every method trains (default vit-tiny)
#   EXTRA            environment: more train flags for every method (e.g. "--lr 1e-3")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${PRETEXT_CLI:-$here/../../build/app/cli/pretext-cli}
data=$1
work=$2
budget=${3:-8m}
[ $# -ge 3 ] && shift 3 || shift $#
methods=${*:-beit mae rotnet}
case $budget in
  *[!0-9]*) budget_flag="--time-budget $budget" ;;
  *) budget_flag="--steps $budget" ;;
esac
mkdir -p "$work"
for m in $methods; do
  "$cli" train --data "$data" --method "$m" --backbone "${BACKBONE:-vit-tiny}" --limit 10000 --batch 128 \
    $budget_flag ${EXTRA:-} --seed 1 --db "$work/tasks.db" --name "$m-${BACKBONE:-vit-tiny}-$budget" > "$work/$m.log" 2>&1 ||
    echo "$m: the run failed, see $work/$m.log"
  echo "== $m"
  grep -Ei "knn|learned|baseline|steps" "$work/$m.log" | tail -6
done
"$cli" runs list --db "$work/tasks.db"
