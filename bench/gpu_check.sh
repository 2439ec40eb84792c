#!/bin/sh
# One command for a lent GPU machine (CUDA, CMake, a compiler, Python with torch; no apt, Qt or
# OpenCV): builds the headless engine and pretext-cli against the LibTorch of that machine's python3,
# with the libraries carried in .device/deps.tar.xz (made here by bench/gpu_prepare.sh), then
#   1. checks that CPU and GPU give the same SimCLR loss and gradients on a fixed batch (fp32, TF32 off),
#   2. times ResNet-18 SimCLR training steps (images/s) with amp off, bf16 and fp16, and PyTorch
#      eager in Python doing the same on the same machine,
#   3. trains end to end with the CLI on CUDA (bf16, channels-last, checkpoints, kNN probe) on
#      Fashion-MNIST's test split, stops it with SIGINT and resumes it.
# Usage, from the repository root:  sh bench/gpu_check.sh   (results in $OUT or ./gpu-check-out)
# Budget: about 2-3 minutes of build on 16 cores, 1-2 minutes of checks; the whole script < 8 min.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/gpu-check-out}
mkdir -p "$out"
log() { echo "== $(date +%H:%M:%S) $*"; }
py=${PYTHON:-python3}
jobs=$(nproc)

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.is_available())'
torch_root=$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
cmake --version | head -n 1
c++ --version | head -n 1

log "unpacking the carried libraries"
deps=/tmp/pretext-deps
if [ ! -d "$deps/deps" ]; then
  mkdir -p "$deps"
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$root/.device/deps.tar.xz" | tar -C "$deps" -xf -
  else
    "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$root/.device/deps.tar.xz" "$deps"
  fi
fi
d=$deps/deps
export LD_LIBRARY_PATH="$d/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

log "configuring and building pretext-cli (Release, $jobs jobs)"
gen=""
command -v ninja >/dev/null 2>&1 && gen="-G Ninja"
build=/tmp/pretext-gpu-build
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" $gen -DCMAKE_BUILD_TYPE=Release -DPRETEXT_GUI=OFF -DPRETEXT_TESTS=OFF \
  -DPRETEXT_TORCH_ROOT="$torch_root" -DCMAKE_PREFIX_PATH="$d/cmake" \
  -DOpenCV_DIR="$d/cmake" -Dnlohmann_json_DIR="$d/cmake" -DCLI11_DIR="$d/cmake" \
  -DSQLite3_INCLUDE_DIR="$d/include" -DSQLite3_LIBRARY="$d/lib/libsqlite3.so" \
  -DZLIB_INCLUDE_DIR="$d/include" -DZLIB_LIBRARY="$d/lib/libz.so" \
  "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,$d/lib -Wl,--disable-new-dtags -Wl,-rpath,$d/lib" \
  > "$out/cmake.log" 2>&1 || { tail -n 40 "$out/cmake.log"; exit 1; }
cmake --build "$build" --target pretext-cli -j "$jobs" > "$out/build.log" 2>&1 || { grep -m 20 -B2 -A8 'error' "$out/build.log"; tail -n 20 "$out/build.log"; exit 1; }
cli=$build/app/cli/pretext-cli
"$cli" --version
status=0

log "1+2. CPU-vs-GPU agreement and training-step throughput (pretext)"
"$cli" device-check --device cuda --backbone resnet18 --batch 256 --steps 30 --warmup 5 --amp off bf16 fp16 \
  --json "$out/device_check.json" || status=1

log "2. the same in PyTorch eager"
PYTHONUNBUFFERED=1 "$py" "$root/bench/gpu/torch_eager.py" --batch 256 --steps 30 --warmup 5 | tee "$out/torch_eager.jsonl" || status=1

log "3. end to end: train on CUDA (bf16), Ctrl-C, resume"
data=$d/data/t10k-images-idx3-ubyte.gz
if [ -f "$data" ]; then
  db=/tmp/pretext-gpu.db
  rm -rf "$db" "$db"-* "$db.runs"
  "$cli" train --data "$data" --method simclr --backbone resnet18 --steps 200 --batch 256 --seed 0 \
    --amp bf16 --device cuda --checkpoint-every 50 --db "$db" > "$out/train.log" 2>&1 &
  pid=$!
  sleep 20
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" || status=1
  tail -n 5 "$out/train.log"
  if grep -q "continue with: pretext-cli resume" "$out/train.log"; then
    "$cli" resume 1 --db "$db" > "$out/resume.log" 2>&1 || status=1
    tail -n 5 "$out/resume.log"
  else
    echo "(the run ended before the interrupt: resume not exercised)"
  fi
  "$py" - "$db" <<'PY' || status=1
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
status, = c.execute("SELECT status FROM runs WHERE id=1").fetchone()
steps = [s for (s,) in c.execute("SELECT step FROM metrics WHERE run_id=1 AND name='loss' ORDER BY step")]
mem = c.execute("SELECT max(value) FROM metrics WHERE run_id=1 AND name='device_memory_mb'").fetchone()[0]
ips = c.execute("SELECT avg(value) FROM metrics WHERE run_id=1 AND name='images_per_s' AND step>10").fetchone()[0]
ck = c.execute("SELECT max(step) FROM checkpoints WHERE run_id=1").fetchone()[0]
print(f"end to end: status {status}, {len(steps)} loss rows, contiguous {steps == list(range(1, len(steps) + 1))}, "
      f"device memory {mem} MB, {ips:.0f} images/s (with augmentation), last checkpoint {ck}")
sys.exit(0 if status == "finished" and steps == list(range(1, 201)) and ck == 200 else 1)
PY
else
  echo "no Fashion-MNIST in the carried folder: skipped"
fi

log "summary"
"$py" - "$out/device_check.json" "$out/torch_eager.jsonl" <<'PY' | tee "$out/summary.txt"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("no device-check report:", e); sys.exit(0)
a = r["agreement"]
print(f"agreement: cpu {a['loss_cpu']:.6f} gpu {a['loss_device']:.6f} rel {a['loss_rel_diff']:.2e} "
      f"grad rel {a['grad_max_rel_diff']:.2e} bf16 rel {a.get('loss_rel_diff_bf16', float('nan')):.2e} ok={a['ok']}")
eager = {}
try:
    for line in open(sys.argv[2]):
        j = json.loads(line); eager[j["amp"]] = j["images_per_s"]
except Exception:
    pass
for t in r["throughput"]:
    e = eager.get(t["amp"])
    ratio = f"{t['images_per_s'] / e:.2f}x" if e else "n/a"
    print(f"amp {t['amp']:4s}: pretext {t['images_per_s']:8.0f} img/s, eager {e or float('nan'):8.0f} img/s, ratio {ratio}")
PY
log "done (status $status)"
exit $status
