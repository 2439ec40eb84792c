#!/bin/sh
# Makes bench/.venv: Lightly + torchvision on top of the project's own torch wheel (.venv), so the
# Python side runs the very LibTorch build that pretext-cli links. Idempotent.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${PRETEXT_PYTHON:-$root/.venv/bin/python}
venv=$root/bench/.venv
if [ ! -x "$venv/bin/python" ]; then
  "$base" -m venv "$venv"
  # torch (with its CUDA libraries) comes from the base venv instead of a second 4 GB download.
  site=$("$base" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  own=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$site" > "$own/pretext-base.pth"
fi
# Pin torch to the base venv's build so pip picks the torchvision that matches it, never a new torch.
pin=$(mktemp)
"$venv/bin/python" -c 'import torch; print("torch==" + torch.__version__.split("+")[0])' > "$pin" 2>/dev/null
"$venv/bin/python" -c 'import lightly, torchvision' 2>/dev/null ||
  "$venv/bin/pip" install --quiet -c "$pin" torchvision lightly
rm -f "$pin"
"$venv/bin/python" -c 'import torch, torchvision, lightly; print("torch", torch.__version__, "torchvision", torchvision.__version__, "lightly", lightly.__version__)'
