#!/bin/sh
# Issue 23's cpu-12min target: `pretext-cli train --preset cpu-12min` against the PyTorch SimCLR
# reference loop (reference_simclr.py) for the same 12 minutes on the same machine, one after the
# other, each probed by kNN (k = 200, T = 0.1) with CIFAR-10's 40,000 training images of search.py's
# split as the bank and 5,000 held-out training images as queries (its "tune" part; FINAL=1: its
# "final" part, for the chosen recipe only). Appends one JSON line per run to OUT.
# Usage: bench/cpu_recipes/cpu_12min.sh OUT   (env: RECIPE_WORK, ONLY=pretext|reference, SEED=0|1|2,
#        PRETEXT_CLI: the pretext-cli to time, default this tree's build)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
work=${RECIPE_WORK:-/tmp/pretext-recipes}
part=tune; final_flag=
[ "${FINAL:-0}" = 1 ] && { part=final; final_flag=--final; }
"$root/bench/simclr/setup_venv.sh" >&2
py=$root/bench/.venv/bin/python
"$py" -c "import sys; sys.path.insert(0, '$root/bench/cpu_recipes'); import search; search.cifar_split('$work', '$root/../shared/data/cifar10-train.tar.zst')"
if [ "${ONLY:-reference}" = reference ]; then
  "$py" "$root/bench/cpu_recipes/reference_simclr.py" --data "$work/cifar/train" --eval-data "$work/cifar/$part" \
    --budget 720 --seed "${SEED:-0}" | tee -a "$out"
fi
if [ "${ONLY:-pretext}" = pretext ]; then
  RECIPE_WORK=$work python3 "$root/bench/cpu_recipes/search.py" --dataset cifar $final_flag \
    --recipes "$root/bench/cpu_recipes/cpu-12min.json" --only "preset-cpu-12min-seed${SEED:-0}" \
    --cli "${PRETEXT_CLI:-$root/build/app/cli/pretext-cli}" --out "$out"
fi
