#!/usr/bin/env bash
# Regenerates the pictures of the user's guide (docs/guide.md): walks the app under Xvfb as
# tools/gui_walk.sh does (the Fashion-MNIST demo, a short classroom run, the runs page, the explorer)
# and copies the steps the guide shows into docs/guide/. The pictures are replaced only when the whole
# walk passed its checks.   tools/guide_screenshots.sh   (env as tools/gui_walk.sh: APP, DATA)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SIZE=1366x768 "$ROOT/tools/gui_walk.sh" "$work/walk" ||
  { echo "guide_screenshots: the walk failed (above); docs/guide/ is left as it was" >&2; exit 1; }
# guide picture <- the walk's step
pictures=(01-data:data-page 02-studio:studio 03-train:train-classroom-preset 04-training:training
          05-explore:explore-map 06-invariances:invariances 07-runs:runs-details)
mkdir -p "$ROOT/docs/guide"
for pair in "${pictures[@]}"; do
  shot=$(ls "$work/walk"/[0-9][0-9]-"${pair#*:}".png)
  convert "$shot" -strip "$ROOT/docs/guide/${pair%%:*}.png"   # -strip: no timestamps, so git sees real changes only
done
echo "docs/guide: ${#pictures[@]} pictures from the walk"
