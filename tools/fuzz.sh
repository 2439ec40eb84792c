#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/: clang, AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# each for SECONDS on its seed corpus (fuzz/corpus/<target>, and resources/presets for the pipeline).
# Inputs that reach new code collect in WORK/corpus/<target>, outside the repository; a crash, a leak,
# a sanitizer report, an uncaught exception or a slow input lands in WORK/findings/<target>/ and fails
# the run. Copy a finding into fuzz/regressions/<target>/ once fixed: the normal suite replays it.
#   tools/fuzz.sh [SECONDS] [TARGET...]     (env: FUZZ_BUILD=<root>/build-fuzz, FUZZ_WORK=/tmp/pretext-fuzz)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-/tmp/pretext-fuzz}
command -v clang++ > /dev/null || { echo "fuzz: needs clang (apt install clang)" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root/fuzz" -B "$build" -G Ninja > /dev/null || exit 2
fi
mkdir -p "$work"
ninja -C "$build" > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 2; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cd "$root/fuzz" && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//')
failed=0
printf '%-12s %10s %8s %s\n' target executions "exec/s" result
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/findings/$t"
  seeds=("$root/fuzz/corpus/$t")
  [ "$t" = pipeline ] && seeds+=("$root/resources/presets")
  [ -d "$root/fuzz/regressions/$t" ] && seeds+=("$root/fuzz/regressions/$t")
  log="$work/$t.log"
  # -timeout: the instrumented build runs 10-20x slower than a release one (the jigsaw's 1000
  # permutations of 16 tiles: 0.8 s released, over 10 s here), so 60 s flags what takes seconds for a user.
  (cd "$work" && "$build/fuzz_$t" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/findings/$t/" "$work/corpus/$t" "${seeds[@]}" > "$log" 2>&1)
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ $rc -eq 0 ]; then result=ok; else result="FINDING (see $log, $work/findings/$t/)"; failed=1; fi
  printf '%-12s %10s %8s %s\n' "$t" "${runs:-?}" "${speed:-?}" "$result"
done
exit $failed
