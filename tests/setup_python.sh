#!/bin/sh
# Optional: a Python for the torchvision interop test (engine.export). It reuses the torch of the
# project's .venv through a .pth file (no second 4 GB download) and adds torchvision, safetensors and
# numpy. The test skips itself when this is absent. torchvision's pin must match .venv's torch.
set -e
cd "$(dirname "$0")/.."
TORCHVISION=${TORCHVISION:-torchvision==0.29.2}
[ -x .venv/bin/python ] || { echo "no .venv: run ./pretext.sh test first" >&2; exit 1; }
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
.venv/bin/python -m venv tests/.venv
TSITE=$(tests/.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$SITE" > "$TSITE/project_torch.pth"
tests/.venv/bin/pip install -q --no-deps "$TORCHVISION" safetensors numpy pillow
tests/.venv/bin/python -c 'import torch, torchvision, safetensors; print("torch", torch.__version__, "torchvision", torchvision.__version__)'
