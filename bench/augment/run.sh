#!/usr/bin/env bash
# Augmentation throughput: Pretext vs torchvision (PIL and tensor transforms), same two-view SimCLR
# pipeline (from the same preset JSON), same run, one core and all cores, 32 px and 96 px.
# Installs its peers into bench/.venv, then writes the table into bench/README.md.
#   bench/augment/run.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
secs=${2:-4}
py=${PRETEXT_PYTHON:-$root/.venv/bin/python}
[ -x "$py" ] || { echo "augment bench: no Python with torch at $py (./pretext.sh deps, or set PRETEXT_PYTHON)" >&2; exit 2; }

bench="$build/bench/augment/augment_bench"
# PRETEXT_BENCH_NOBUILD=1 uses the binary as it is (while another ninja holds the build folder).
if [ "${PRETEXT_BENCH_NOBUILD:-0}" != 1 ] || [ ! -x "$bench" ]; then ninja -C "$build" augment_bench >/dev/null; fi

# The peers' venv sees the project's torch (no second 4 GB download) through a .pth file and gets
# torchvision, Pillow and NumPy from PyPI. torchvision 0.30 pairs with torch 2.15; where the index has
# no 0.30 yet, the newest 0.29 (which declares torch >= 2.14) is taken.
venv="$root/bench/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
  site=$("$py" -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
  vsite=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$site" > "$vsite/pretext-torch.pth"
  "$venv/bin/pip" install -q --no-deps pillow numpy
  "$venv/bin/pip" install -q --no-deps 'torchvision==0.30.*' || "$venv/bin/pip" install -q --no-deps 'torchvision==0.29.*'
fi
vpy="$venv/bin/python"
cores=$(nproc)

results=$(mktemp)
for size in 32 96; do
  preset=simclr-cifar; [ "$size" = 96 ] && preset=simclr
  for threads in 1 "$cores"; do
    "$bench" --pipeline "$preset" --size "$size" --threads "$threads" --seconds "$secs" >> "$results"
    for mode in pil tensor; do
      "$vpy" -W ignore "$here/torchvision_peer.py" --preset "$root/resources/presets/$preset.json" \
        --size "$size" --mode "$mode" --procs "$threads" --seconds "$secs" >> "$results"
    done
  done
done
cat "$results"

"$vpy" - "$results" "$root/bench/README.md" "$cores" "$secs" <<'PY'
import json, sys, platform, subprocess, datetime
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
readme, cores, secs = sys.argv[2], sys.argv[3], sys.argv[4]
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
load = open("/proc/loadavg").read().split()[:3]
tv = next((r["torchvision"] for r in rows if "torchvision" in r), "?")
th = next((r["torch"] for r in rows if "torch" in r), "?")
out = ["<!-- augment-bench:start -->", "## Augmentation throughput (bench/augment)", "",
       "Command: `bench/augment/run.sh build %s` (two views per image, noise images, views/s; %s s per cell)." % (secs, secs),
       "Machine: %s, %s cores, load average %s when it started. "
       "Peers: torchvision %s on torch %s, one process per core, torch.set_num_threads(1). "
       "32 px runs the `simclr-cifar` preset (no blur), 96 px the `simclr` preset (blur p 0.5; torchvision "
       "uses one kernel of 10%% of the side, Pretext 2*ceil(3 sigma)+1)." % (cpu, cores, " ".join(load), tv, th), "",
       "| size | threads | Pretext | torchvision PIL | torchvision tensor | Pretext / PIL | Pretext / tensor |",
       "|---:|---:|---:|---:|---:|---:|---:|"]
for size in (32, 96):
    for t in sorted({r["threads"] for r in rows}):
        get = lambda impl: next((r["views_per_s"] for r in rows if r["impl"] == impl and r["size"] == size and r["threads"] == t), None)
        p, pil, ten = get("pretext"), get("torchvision-pil"), get("torchvision-tensor")
        if p is None: continue
        out.append("| %d | %d | %.0f | %.0f | %.0f | %.1fx | %.1fx |" % (size, t, p, pil, ten, p / pil, p / ten))
out += ["", "Measured %s UTC." % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), "<!-- augment-bench:end -->"]
text = open(readme).read() if __import__("os").path.exists(readme) else "# Benchmarks\n"
start, end = text.find("<!-- augment-bench:start -->"), text.find("<!-- augment-bench:end -->")
block = "\n".join(out)
if start >= 0 and end > start:
    text = text[:start] + block + text[end + len("<!-- augment-bench:end -->"):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(readme, "w").write(text)
print(block)
PY
