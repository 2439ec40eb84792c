#!/usr/bin/env bash
# Pretext's one entry point: installs what is missing, builds, and runs the app or the tests.
#   ./pretext.sh run   [app options]   install, build (Release) and open the app on Fashion-MNIST
#   ./pretext.sh test  [ctest options] install, build and run the whole test suite
#   ./pretext.sh deps | build | cli ARGS... | screenshot FILE
# Idempotent: packages, the venv and the build are only touched when something is missing or changed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
BUILD=${PRETEXT_BUILD_DIR:-$ROOT/build}
VENV=${PRETEXT_VENV:-$ROOT/.venv}
TORCH_SPEC=${PRETEXT_TORCH_SPEC:-torch==2.15.0}
DEMO=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

APT_PACKAGES=(
  build-essential cmake ninja-build git python3 python3-venv
  qt6-base-dev qt6-svg-dev qt6-qpa-plugins libqcustomplot-dev libqcustomplot2.1-qt6
  libopencv-dev libsqlite3-dev zlib1g-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgoogle-perftools-dev
  dataset-fashion-mnist xvfb xauth
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

log() { printf '\033[1m[pretext]\033[0m %s\n' "$*" >&2; }

deps() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # LibTorch comes from PyPI's torch wheel (CUDA-capable; runs on the CPU where there is no GPU).
  local py=/usr/bin/python3
  [ -x "$py" ] || py=python3
  if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    log "creating $VENV with $TORCH_SPEC (a large download, once)"
    "$py" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q "$TORCH_SPEC"
  fi
}

build() {
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPRETEXT_PYTHON="$VENV/bin/python" \
      "${launcher[@]}" >/dev/null
  fi
  # A LibTorch translation unit needs about 1.3 GB to compile: cap the jobs by memory as well.
  local mem_jobs=$(( $(awk '/MemAvailable/ {print int($2/1024/1024/1.5)}' /proc/meminfo) ))
  local jobs=$(nproc)
  [ "$mem_jobs" -lt "$jobs" ] && jobs=$(( mem_jobs > 0 ? mem_jobs : 1 ))
  cmake --build "$BUILD" -j "$jobs"
}

have_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  deps) deps ;;
  build) deps; build ;;
  run)
    deps; build
    args=(--data "$DEMO" --limit 6000 "$@")
    if have_display; then
      exec "$BUILD/app/gui/pretext" "${args[@]}"
    else
      log "no display: starting the app in a virtual X server (xvfb-run); see tools/screenshot.sh to look at it"
      exec xvfb-run -a "$BUILD/app/gui/pretext" "${args[@]}"
    fi ;;
  test)
    deps; build
    # torchvision and safetensors for the export interop test (reuses .venv's torch; a few MB).
    if ! tests/.venv/bin/python -c "import torchvision, safetensors" 2>/dev/null; then
      tests/setup_python.sh || log "tests/.venv could not be made: the torchvision interop test will skip"
    fi
    cd "$BUILD"
    exec ctest --output-on-failure -j "$(nproc)" --timeout 1200 "$@" ;;
  cli) exec "$BUILD/app/cli/pretext-cli" "$@" ;;
  screenshot) deps; build; exec "$ROOT/tools/screenshot.sh" "$@" ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
