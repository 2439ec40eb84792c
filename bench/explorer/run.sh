#!/usr/bin/env bash
# Explorer frame times: the Explore tab's map (EmbeddingView) against a QCustomPlot scatter of the
# same points, on a UMAP of the 60,000 Fashion-MNIST training images embedded by a run's backbone.
# Needs bench/projections/run.sh's WORK folder (its runs database); writes WORK/explorer.md and the
# table into bench/README.md.
#   bench/explorer/run.sh WORK [BUILD_DIR] [FRAMES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(cd "${1:?usage: run.sh WORK [BUILD_DIR] [FRAMES]}" && pwd)
build=${2:-$root/build}
frames=${3:-150}
fm=${PRETEXT_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
cli="$build/app/cli/pretext-cli"
ninja -C "$build" bench_explorer pretext-cli >/dev/null
points="$work/explorer-umap-60k.csv"
run=$("$cli" runs list --db "$work/runs.db" | awk '$NF == "proj-resnet-small" {print $1; exit}')
[ -n "$run" ] || { echo "no proj-resnet-small run in $work/runs.db: run bench/projections/run.sh first" >&2; exit 2; }
[ -s "$points" ] || "$cli" project "$run" --db "$work/runs.db" --method umap \
  --eval-data "$fm/train-images-idx3-ubyte.gz" --limit 0 --out "$points" >/dev/null
# And 100,000 points: ten Gaussian clusters (seeded), for the size the explorer promises.
synthetic="$work/explorer-synthetic-100k.csv"
[ -s "$synthetic" ] || python3 - "$synthetic" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    f.write("index,x,y,label\n")
    centres = [(random.uniform(-40, 40), random.uniform(-40, 40)) for _ in range(10)]
    for i in range(100000):
        c = i % 10
        f.write(f"{i},{random.gauss(centres[c][0], 4)},{random.gauss(centres[c][1], 4)},{c}\n")
PY
results=$(QT_QPA_PLATFORM=offscreen "$build/bench/explorer/bench_explorer" "$points" "$frames"
          QT_QPA_PLATFORM=offscreen "$build/bench/explorer/bench_explorer" "$synthetic" "$frames")
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo "<!-- explorer-bench:start -->"
  echo "## Explorer: frame times while panning and zooming (bench/explorer)"
  echo
  echo "Command: \`bench/explorer/run.sh WORK\` (after bench/projections/run.sh). Machine: $cpu, $(nproc) cores; Qt offscreen platform, a 1000 x 700 map."
  echo "Points: the UMAP of the 60,000 Fashion-MNIST training images embedded by the resnet-small run, and 100,000 synthetic points (ten Gaussian clusters). Each frame is one zoom or pan step and a full repaint; $frames frames each."
  echo
  echo "| implementation | points | median ms | 95th percentile ms |"
  echo "|---|---:|---:|---:|"
  echo "$results" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print("| {} | {:,} | {:.1f} | {:.1f} |".format(r["implementation"], r["points"], r["median_ms"], r["p95_ms"]))'
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "<!-- explorer-bench:end -->"
} > "$work/explorer.md"
python3 "$root/bench/readme_block.py" "$root/bench/README.md" "$work/explorer.md"
cat "$work/explorer.md"
