#!/usr/bin/env bash
# A scripted first hour in the app: starts Pretext under Xvfb on the Fashion-MNIST demo at a laptop's
# screen size, walks every page with xdotool (studio and an edit there, the classroom preset, start,
# pause, resume, stop, a second run, runs and a run's details, compare, export, the explorer's map and
# invariances, log, closing during a run), saves a numbered screenshot at each step and checks what a script can: the window fits the
# screen at every step, no error dialog opens, the export writes its file, the process exits within
# 2 s of confirming the close, and stderr holds nothing beyond the allow-list below.
#   tools/gui_walk.sh [out-folder]      (env: SIZE=1366x768, APP=<pretext binary>, DATA=<dataset>)
# Needs xvfb, xdotool and imagemagick (apt install xvfb xdotool imagemagick). Look at every screenshot.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/gui-walk}")
SIZE=${SIZE:-1366x768}
APP=${APP:-$ROOT/build/app/gui/pretext}
DATA=${DATA:-/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz}
W=${SIZE%x*}
H=${SIZE#*x}
for tool in Xvfb xdotool import; do
  command -v "$tool" > /dev/null || { echo "gui_walk: needs $tool (apt install xvfb xdotool imagemagick)" >&2; exit 2; }
done
[ -x "$APP" ] || { echo "gui_walk: no app at $APP (build first: ./pretext.sh build)" >&2; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT"

# A display and settings of its own: the walk starts as a first start, whatever this user has saved.
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 "${W}x${H}x24" > /dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display HOME=$OUT/home XDG_CONFIG_HOME=$OUT/config XDG_DATA_HOME=$OUT/data XDG_RUNTIME_DIR=$OUT/runtime
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
sleep 1
failures=()
fail() { failures+=("$1"); echo "FAIL: $1"; }

"$APP" --data "$DATA" --db "$OUT/walk.db" --limit 6000 --preset classroom 2> "$OUT/stderr.log" &
app=$!
trap 'kill $app $xvfb 2> /dev/null' EXIT
win=$(timeout 60 xdotool search --sync --onlyvisible --name "Pretext" | head -n 1)
[ -n "$win" ] || { fail "no window within 60 s"; exit 1; }
step=0

# shot NAME: a numbered screenshot, and the checks that hold at every step.
shot() {
  step=$((step + 1))
  local file
  file=$(printf '%s/%02d-%s.png' "$OUT" "$step" "$1")
  import -window root "$file"
  eval "$(xdotool getwindowgeometry --shell "$win")"
  if [ $((X + WIDTH)) -gt "$W" ] || [ $((Y + HEIGHT)) -gt "$H" ]; then
    fail "step $step ($1): the window (${WIDTH}x${HEIGHT} at $X,$Y) does not fit ${W}x${H}"
  fi
  for title in "Cannot" "Error" "error"; do
    if xdotool search --onlyvisible --name "$title" > /dev/null 2>&1; then fail "step $step ($1): a window titled '$title*'"; fi
  done
  echo "$file"
}
# Keys go through XTEST to the focused window (Qt ignores the synthetic events of `key --window`, and
# a bare Xvfb has no window manager to activate windows).
key() { xdotool windowfocus --sync "$win" 2> /dev/null; xdotool key "$@"; }

click() { xdotool mousemove --sync "$1" "$2" click 1; }  # window coordinates: the window sits at 0,0

sleep 4 && shot data-page
key ctrl+2 && sleep 3 && shot studio
click 230 302 && sleep 3 && shot studio-hflip-edited          # the hflip probability slider, one page up
key ctrl+3 && sleep 2 && shot train-classroom-preset
key ctrl+r && sleep 25 && shot training
key ctrl+p && sleep 3 && shot paused
key ctrl+p && sleep 8 && shot resumed
key ctrl+period && sleep 30 && shot stopped-and-probed
key ctrl+r && sleep 15 && key ctrl+period && sleep 30 && shot second-run-stopped
key ctrl+4 && sleep 3 && click 150 103 && sleep 2 && shot runs-details
click 15 103 && click 15 121 && click 749 725 && sleep 3 && shot compare
click 150 103 && sleep 1 && click 300 725 && sleep 1 && key Down Down Return && sleep 2 && shot export-dialog
save=$(xdotool search --onlyvisible --name "Export metrics" | head -n 1)
[ -n "$save" ] || fail "Export > Metrics opened no save dialog"
xdotool windowfocus --sync "${save:-$win}" 2> /dev/null; xdotool key Return && sleep 4 && shot exported
ls "$HOME"/run*-metrics.csv > /dev/null 2>&1 || fail "Export > Metrics wrote no run*-metrics.csv in $HOME"
# The explorer on the first run: its default map, then its invariances.
key ctrl+4 && sleep 1 && click 150 103 && sleep 1 && click 991 62 && sleep 1 && click 1087 88 && sleep 30 && shot explore-map
click 1173 88 && sleep 45 && shot invariances
key ctrl+5 && sleep 1 && shot log

# Closing during a run: the app asks, then quits within 2 s of the answer.
key ctrl+3 && key ctrl+r && sleep 15 && shot third-run
key ctrl+q && sleep 2
step=$((step + 1)) && import -window root "$(printf '%s/%02d-close-asks.png' "$OUT" "$step")"
dialog=$(xdotool search --onlyvisible --name "Pretext" | grep -v "^$win$" | head -n 1)
[ -n "$dialog" ] || fail "closing during a run did not ask"
start=$(date +%s.%N)
xdotool windowfocus --sync "${dialog:-$win}" 2> /dev/null; xdotool key alt+y
for _ in $(seq 1 100); do kill -0 "$app" 2> /dev/null || break; sleep 0.05; done
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
if kill -0 "$app" 2> /dev/null; then fail "the app still runs 5 s after the close was confirmed"; kill "$app"
elif [ "$(echo "$elapsed > 2" | bc)" = 1 ]; then fail "the app took ${elapsed} s to exit after the close was confirmed"
else echo "exited ${elapsed} s after the close was confirmed"; fi

# stderr: nothing beyond what Qt prints on a bare X server.
allowed='^(QStandardPaths: |qt\.qpa\.xcb: |libpng warning: iCCP)'
if grep -Ev "$allowed" "$OUT/stderr.log" | grep -q .; then
  fail "stderr has unexpected lines (see $OUT/stderr.log)"
  grep -Ev "$allowed" "$OUT/stderr.log" | head -n 5
fi
echo "screenshots: $OUT ($step steps)"
if [ ${#failures[@]} -gt 0 ]; then echo "${#failures[@]} check(s) failed"; exit 1; fi
echo "all checks passed"
