#!/bin/sh
# Optional: a Python for the torchvision interop test (engine.export). It reuses the torch of the
# project's .venv through a .pth file (no second 4 GB download) and adds torchvision, safetensors and
# numpy. The test skips itself when this is absent. torchvision's pin must match .venv's torch.
set -e
cd "$(dirname "$0")/.."
TORCHVISION=${TORCHVISION:-torchvision==0.29.2}
VENV=${PRETEXT_VENV:-.venv}  # the torch venv pretext.sh uses (PRETEXT_VENV names one elsewhere)
[ -x "$VENV/bin/python" ] || { echo "no $VENV: run ./pretext.sh test first" >&2; exit 1; }
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$VENV/bin/python" -m venv tests/.venv
TSITE=$(tests/.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$SITE" > "$TSITE/project_torch.pth"
tests/.venv/bin/pip install -q --no-deps "$TORCHVISION" safetensors numpy pillow
tests/.venv/bin/python -c 'import torch, torchvision, safetensors; print("torch", torch.__version__, "torchvision", torchvision.__version__)'
