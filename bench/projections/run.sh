#!/usr/bin/env bash
# t-SNE and UMAP: Pretext against openTSNE, scikit-learn and umap-learn on the same Fashion-MNIST
# embeddings, in one command on one machine (bench/README.md, "Projections"). The embeddings come from
# two short SimCLR runs: 10,000 x 512 (resnet18, the test images) and 70,000 x 256 (resnet-small,
# the training and test images). Runs, embeddings and the peers' venv stay in WORK, outside the
# repository; the tables land in WORK/*.md and in bench/README.md.
#   bench/projections/run.sh WORK [BUILD_DIR] [TRAIN_BUDGET]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?usage: run.sh WORK [BUILD_DIR] [TRAIN_BUDGET]}
build=${2:-$root/build}
budget=${3:-3m}
fm=${PRETEXT_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
mkdir -p "$work"
work=$(cd "$work" && pwd)
cli="$build/app/cli/pretext-cli"
exe="$build/bench/projections/bench_projections"
ninja -C "$build" bench_projections pretext-cli >/dev/null

venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy scikit-learn openTSNE umap-learn
fi
py="$venv/bin/python"

# One short run per backbone, then its embeddings of the images asked for (all of them: --limit 0).
embed() {  # backbone, output folder, images...
  local backbone=$1 out=$2
  shift 2
  if ! "$cli" runs list --db "$work/runs.db" 2>/dev/null | grep -q " proj-$backbone$"; then
    "$cli" train --data "$fm/train-images-idx3-ubyte.gz" --method simclr --backbone "$backbone" \
      --time-budget "$budget" --seed 1 --name "proj-$backbone" --db "$work/runs.db" >/dev/null
  fi
  local part=0 run
  run=$("$cli" runs list --db "$work/runs.db" | awk -v name="proj-$backbone" '$NF == name {print $1; exit}')
  for images in "$@"; do
    [ -f "$out/$part/embeddings.csv" ] || "$cli" export "$run" --what embeddings --db "$work/runs.db" \
      --eval-data "$images" --limit 0 --out "$out/$part" >/dev/null
    part=$((part + 1))
  done
}
embed resnet18 "$work/emb-512" "$fm/t10k-images-idx3-ubyte.gz"
embed resnet-small "$work/emb-256" "$fm/train-images-idx3-ubyte.gz" "$fm/t10k-images-idx3-ubyte.gz"

"$py" - "$work" <<'PY'
import glob, sys
import numpy as np
work = sys.argv[1]
for name in ("emb-512", "emb-256"):
    parts = sorted(glob.glob(f"{work}/{name}/*/embeddings.csv"))
    # vectors.tsv holds the features alone; the label is embeddings.csv's second column. (No
    # comment character: sources read "file#index".)
    x = np.concatenate([np.loadtxt(p.replace("embeddings.csv", "vectors.tsv"), delimiter="\t", dtype=np.float32)
                        for p in parts])
    y = np.concatenate([np.loadtxt(p, delimiter=",", skiprows=1, usecols=1, dtype=np.int64, comments=None)
                        for p in parts])
    np.save(f"{work}/{name}.npy", x)
    np.save(f"{work}/{name}-labels.npy", y)
    print(name, x.shape, file=sys.stderr)
PY

# PRETEXT_BENCH_FEATURES_ONLY=1 stops here: the runs and exports need no quiet machine, the timings do.
[ "${PRETEXT_BENCH_FEATURES_ONLY:-0}" = 1 ] && exit 0

for name in emb-512 emb-256; do
  "$py" "$here/peers.py" --features "$work/$name.npy" --labels "$work/$name-labels.npy" --pretext "$exe" \
    --out "$work/$name.md"
done

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo "<!-- projections-bench:start -->"
  echo "## Projections: t-SNE and UMAP (bench/projections)"
  echo
  echo "Command: \`bench/projections/run.sh WORK\`. Machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB."
  echo "Peers: $("$py" -c 'import openTSNE, sklearn, umap; print(f"openTSNE {openTSNE.__version__}, scikit-learn {sklearn.__version__}, umap-learn {umap.__version__}")')."
  echo "Features: Fashion-MNIST embeddings of two $budget SimCLR runs (resnet18: the 10,000 test images; resnet-small: all 70,000 images)."
  echo "Seconds are wall time of the whole fit (neighbours, affinities, layout); every peer uses all cores unless it says otherwise."
  echo
  cat "$work/emb-512.md"
  echo
  cat "$work/emb-256.md"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "<!-- projections-bench:end -->"
} > "$work/table.md"
python3 "$root/bench/readme_block.py" "$root/bench/README.md" "$work/table.md"
cat "$work/table.md"
