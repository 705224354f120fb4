#!/usr/bin/env bash
# How much the JIT compiler's late work costs 2-thread training in the epoch compare-pytorch.sh counts, and what
# src/main/jvm/compile-commands.txt (passed by ./lenet5 and the Docker image) changes (docs/benchmarks.md, entry 29).
#
# Usage: bench/jit-window.sh [runs] [batch] [threads]      (default 6 32 2; about 15 s per run and side)
#
# Runs JitSettling (src/test) in fresh JVMs, alternately with HotSpot's default thresholds ("plain") and with the
# compile-commands file ("file"), the order swapped every run, each for 32 blocks of 250 steps, and prints per run
# the seconds and the JIT compilers' milliseconds of steps 2001-4000 (at batch 32 that window holds most of the
# epoch compare-pytorch.sh counts: steps 2176-4050, after 300 warm-up steps and one untimed epoch), then the
# per-run ratio plain / file and its median. Needs `mvn test-compile` first (it says so).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
case "${1:-}" in -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac
runs="${1:-6}" batch="${2:-32}" threads="${3:-2}"
for v in "$runs" "$batch" "$threads"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "error: runs, batch and threads must be positive whole numbers, got '$v' (see --help)" >&2; exit 2; }
done
data="${LENET5_DATA_DIR:-$here/data}"
[ -f target/test-classes/org/lenet5/backend/cpu/JitSettling.class ] || { echo "error: run mvn test-compile first" >&2; exit 1; }
[ -f "$data/mnist/train-images-idx3-ubyte" ] || { echo "error: MNIST missing in $data/mnist; run ./lenet5 data fetch" >&2; exit 1; }

out="$(mktemp)" run_out="$(mktemp)"
trap 'rm -f "$out" "$run_out"' EXIT
for r in $(seq 1 "$runs"); do
  order="plain file"; [ $((r % 2)) -eq 0 ] && order="file plain"
  for side in $order; do
    opts=""; [ "$side" = file ] && opts="-XX:CompileCommandFile=src/main/jvm/compile-commands.txt"
    # shellcheck disable=SC2086
    if ! java --add-modules jdk.incubator.vector -XX:+UseSerialGC $opts -cp target/classes:target/test-classes \
        org.lenet5.backend.cpu.JitSettling "$data" "$batch" "$threads" 32 >"$run_out" 2>&1; then
      echo "error: JitSettling failed (run $r, $side):" >&2; tail -5 "$run_out" >&2; exit 1
    fi
    blocks="$(grep -o '[0-9]*:[0-9]*ms/[0-9]*us' "$run_out" | tr '\n' ' ' || true)"
    [ -n "$blocks" ] || { echo "error: JitSettling printed no blocks (run $r, $side):" >&2; tail -5 "$run_out" >&2; exit 1; }
    echo "$r $side $blocks" | tee -a "$out"
  done
done

python3 - "$out" <<'EOF'
import re, statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    blocks = [tuple(map(int, re.match(r"(\d+):(\d+)ms/(\d+)us", x).groups())) for x in f[2:]]
    window = [(us, ms) for steps, ms, us in blocks if 2250 <= steps <= 4000]   # blocks ending at 2250..4000
    seconds, jit = sum(us * 250 for us, _ in window) / 1e6, sum(ms for _, ms in window)
    runs.setdefault(f[0], {})[f[1]] = (seconds, jit)
    print(f"run {f[0]} {f[1]:5s}: steps 2001-4000 took {seconds:.3f} s, JIT {jit} ms in them")
both = [r for r in runs.values() if len(r) == 2]
ratios = [r["plain"][0] / r["file"][0] for r in both]
print("plain / file, seconds of steps 2001-4000, per run: " + " ".join(f"{x:.3f}" for x in ratios)
      + f"; median {st.median(ratios):.3f}")
print(f"JIT ms in those steps, median: plain {st.median(r['plain'][1] for r in both)}, file {st.median(r['file'][1] for r in both)}")
EOF
