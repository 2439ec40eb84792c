#!/usr/bin/env bash
# Opens the app under Xvfb on the Fashion-MNIST demo, trains briefly, and saves a PNG of the window
# once the run has finished (loss curve, two-view preview and PCA scatter all visible).
#   tools/screenshot.sh [out.png] [extra app options]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/screenshot.png}")
[ $# -gt 0 ] && shift
DB=$(mktemp -u /tmp/pretext-shot-XXXX.db)
xvfb-run -a -s "-screen 0 1400x900x24" \
  "$ROOT/build/app/gui/pretext" --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
  --db "$DB" --limit 2000 --epochs 2 --autostart --screenshot "$OUT" "$@"
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "$OUT"
