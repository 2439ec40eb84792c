#!/bin/sh
# SimCLR pretraining throughput (images/s), pretext-cli against Lightly's SimCLR in Python, on the
# same machine in the same run: ResNet-18 (CIFAR stem) or resnet-tiny, batch 128, 32 px CIFAR-10 JPEGs,
# all cores, WARMUP untimed steps then STEPS timed ones. Lightly runs on the same torch build (bench/.venv
# borrows .venv's torch). Usage: bench/simclr/run.sh   (env: BACKBONE=resnet18|resnet-small|resnet-tiny,
# STEPS, WARMUP, BATCH, THREADS (default: all cores), PER_CLASS, CLI, FORWARDS="separate concat": how
# the Python loop forwards the two views, WORKERS="<cores> 0": its DataLoader workers)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${CLI:-$root/build/app/cli/pretext-cli}
steps=${STEPS:-20}
warmup=${WARMUP:-3}
batch=${BATCH:-128}
backbone=${BACKBONE:-resnet18}
per_class=${PER_CLASS:-320}  # 3,200 images: one epoch covers the 23 steps, no image seen twice
archive=${CIFAR_ARCHIVE:-$root/../shared/data/cifar10-train.tar.zst}
data=/tmp/pretext-bench-cifar-$per_class
cores=${THREADS:-$(nproc)}
forwards=${FORWARDS:-separate concat}
workers_list=${WORKERS:-$cores 0}
# The Python side with glibc's malloc (as a user runs it) and with tcmalloc preloaded (the allocator
# pretext-cli links, when it found one): PEER_ALLOCATORS="glibc tcmalloc".
peer_allocators=${PEER_ALLOCATORS:-glibc}
tcmalloc=$(ldconfig -p | awk '/libtcmalloc_minimal.so.4 /{print $NF; exit}')

if [ ! -d "$data" ]; then
  [ -d /tmp/cifar/train ] || { mkdir -p /tmp/cifar && tar -I zstd -xf "$archive" -C /tmp/cifar; }
  for dir in /tmp/cifar/train/*/; do
    cls=$(basename "$dir")
    mkdir -p "$data.tmp/$cls"
    ls "$dir" | sort | head -n "$per_class" | while read -r f; do cp "$dir/$f" "$data.tmp/$cls/"; done
  done
  mv "$data.tmp" "$data"
fi
"$root/bench/simclr/setup_venv.sh" >&2
py=$root/bench/.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# pretext: diagnostics and the end-of-run probe are switched off (Lightly's loop has neither).
cat > "$work/run.json" <<JSON
{"data": "$data", "method": "simclr", "backbone": "$backbone", "pipeline": "simclr-cifar",
 "steps": $((warmup + steps)), "batch": $batch, "seed": 0, "threads": $cores, "device": "cpu",
 "diag_every": 0, "probe_queries": 0, "checkpoint_every": 0}
JSON
"$cli" train --config "$work/run.json" --db "$work/bench.db" > "$work/pretext.log" 2>&1 ||
  { cat "$work/pretext.log" >&2; exit 1; }
# images/s over the timed steps = images / the sum of the step times (each step: augment + forward +
# backward + update), from the per-step rows pretext stores.
pretext=$("$py" - "$work/bench.db" "$warmup" "$batch" <<'PY'
import sqlite3, sys
db, warmup, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = sqlite3.connect(db).execute(
    "SELECT value FROM metrics WHERE name='images_per_s' AND step>? ORDER BY step", (warmup,)).fetchall()
print(f"{len(rows) * batch / sum(batch / v for (v,) in rows):.2f}")
PY
)
best=0
for allocator in $peer_allocators; do
  preload=""
  [ "$allocator" = tcmalloc ] && preload=$tcmalloc
  for forward in $forwards; do
    for workers in $workers_list; do
      out=$(LD_PRELOAD=$preload "$py" "$root/bench/simclr/lightly_simclr.py" --data "$data" --batch "$batch" \
            --warmup "$warmup" --steps "$steps" --workers "$workers" --threads "$cores" --backbone "$backbone" \
            --forward "$forward" --channels-last 2>/dev/null | tail -n 1)
      ips=$(echo "$out" | "$py" -c 'import json, sys; print("%.2f" % json.load(sys.stdin)["images_per_s"])')
      echo "eager PyTorch + Lightly ($allocator, views $forward, num_workers=$workers): $ips images/s   $out"
      best=$("$py" -c "print(max($best, $ips))")
    done
  done
done
torch=$("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null)
allocator=$(ldd "$cli" | grep -q tcmalloc && echo tcmalloc || echo glibc)
echo "pretext-cli ($allocator): $pretext images/s   (backbone $backbone, batch $batch, $cores threads)"
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); torch $torch"
"$py" -c "print(f'pretext / the best eager setting: {$pretext / $best:.2f}x')"
