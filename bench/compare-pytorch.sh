#!/usr/bin/env bash
# lenet5 against PyTorch on this machine, side by side: for every batch size and thread count, PAIRS pairs of a
# lenet5 bench run and a PyTorch run on the same MNIST files, alternating which of the two runs first (ABBA), so
# slow drifts in what else the machine does hit both alike. Each side trains EPOCHS epochs (default 2) in a fresh
# process and only its last epoch and last test-set pass count: the first ones include the JIT compiler's (lenet5)
# and PyTorch's own warm-up. Per batch size, pair p runs every thread count in turn (in reverse order for even p),
# so the thread counts too meet the same stretch of the host's noise. Prints each pair's ratios and their medians:
#   train ratio     = PyTorch epoch seconds / lenet5 epoch seconds        (> 1: lenet5 is faster)
#   inference ratio = PyTorch seconds for the 10,000 test images / lenet5's
#   2 vs 1 threads  = lenet5's 1-thread epoch seconds / its 2-thread epoch seconds in the same pair
#
# Usage: bench/compare-pytorch.sh [--pairs N] [--batch-sizes "32 128"] [--threads "1 2"] [--arch flux]
#                                 [--epochs N] [--limit N] [--out DIR]
#   --limit N: both train on the first N training images only (a quick check of the script; not for the table).
# Environment: PYTHON (default /usr/bin/python3, Debian's python3-torch), LENET5_DATA_DIR (default ./data).
# Writes every raw result to DIR (default runs/compare-pytorch-<date>_<time>) and the summary to DIR/summary.md.
# PyTorch side: bench/torch_lenet.py, an unchanged copy of the project's anchor script (same model, Adam lr 1e-3,
# a fresh random permutation per epoch, the last partial batch kept; it prints train_s and eval_s per epoch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

pairs=5 batches="32 128" thread_counts="1 2" arch=flux epochs=2 limit=0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --batch-sizes) batches="$2"; shift 2 ;;
    --threads) thread_counts="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$arch" = flux ] || { echo "error: the PyTorch script builds the flux LeNet-5 only; --arch $arch has no PyTorch twin" >&2; exit 2; }

python="${PYTHON:-/usr/bin/python3}"
command -v "$python" >/dev/null 2>&1 || { echo "error: $python not found; install Python 3 and PyTorch: apt-get install python3-torch" >&2; exit 1; }
if ! "$python" -c 'import torch, numpy' >/dev/null 2>&1; then
  echo "error: PyTorch is missing for $python; install it with: apt-get install python3-torch (or set PYTHON)" >&2
  exit 1
fi

data_root="${LENET5_DATA_DIR:-$here/data}"
mnist="$data_root/mnist"
"$here/lenet5" --version >/dev/null 2>&1 || true   # builds target/lenet5.jar now, outside any timing
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "$mnist/$f" ]; then
    echo "compare: MNIST missing in $mnist, fetching it" >&2
    "$here/lenet5" data fetch --dataset mnist --data-dir "$data_root" >&2
    break
  fi
done

out="${out:-runs/compare-pytorch-$(date +%Y-%m-%d_%H-%M-%S)}"
mkdir -p "$out"
torch_version="$("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
{
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
  # VMs of different CPU generations all say "AMD EPYC": the family, model and vector extensions tell them apart
  ext=""; for f in avx512f:AVX-512 avx2:AVX2 fma:FMA; do grep -m1 '^flags' /proc/cpuinfo | grep -q -w "${f%%:*}" && ext="$ext ${f#*:}"; done
  family="$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
  if [ -n "$family" ]; then
    echo "cpu: family $family model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' '),${ext:- no AVX2}"
  else
    echo "cpu: unknown (no x86 cpu family in /proc/cpuinfo)"
  fi
  echo "java: $(java -version 2>&1 | sed -n 1p); PyTorch $torch_version ($python)"
  echo "lenet5 commit: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command: bench/compare-pytorch.sh --pairs $pairs --batch-sizes \"$batches\" --threads \"$thread_counts\" --epochs $epochs --limit $limit"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

load1() { cut -d' ' -f1 /proc/loadavg; }

run_lenet5() {   # batch threads file
  "$here/lenet5" bench --data-dir "$data_root" --arch "$arch" --batch-size "$1" --threads "$2" --epochs "$epochs" \
      --limit "$limit" --json "$3" >"$3.txt" 2>"$3.log" || { echo "error: lenet5 bench failed, see $3.log" >&2; cat "$3.log" >&2; exit 1; }
}

run_torch() {    # batch threads file
  "$python" "$here/bench/torch_lenet.py" "$mnist" --epochs "$epochs" --batch "$1" --threads "$2" \
      --limit "$([ "$limit" -gt 0 ] && echo "$limit" || echo 60000)" >"$3" 2>"$3.log" || { echo "error: the PyTorch script failed, see $3.log" >&2; cat "$3.log" >&2; exit 1; }
}

# One line per pair: batch threads pair lenet5_epoch_s torch_epoch_s train_ratio lenet5_infer_s torch_infer_s infer_ratio load1
pairs_file="$out/pairs.tsv"
printf 'batch\tthreads\tpair\tlenet5_epoch_s\ttorch_epoch_s\ttrain_ratio\tlenet5_inference_s\ttorch_inference_s\tinference_ratio\tload1_before\tload1_after\n' >"$pairs_file"
printf '%5s %7s %4s  %14s %13s %7s  %14s %13s %7s  %s\n' batch threads pair "lenet5 epoch s" "torch epoch s" ratio \
    "lenet5 infer s" "torch infer s" ratio "load (1 min) before/after"
for b in $batches; do
  for p in $(seq 1 "$pairs"); do
    order="$thread_counts"
    [ $((p % 2)) -eq 0 ] && order="$(printf '%s\n' $thread_counts | tac | tr '\n' ' ')"
    for t in $order; do
      base="$out/b${b}-t${t}-p${p}"
      before=$(load1)
      if [ $((p % 2)) -eq 1 ]; then run_lenet5 "$b" "$t" "$base-lenet5.json"; run_torch "$b" "$t" "$base-torch.txt"
      else run_torch "$b" "$t" "$base-torch.txt"; run_lenet5 "$b" "$t" "$base-lenet5.json"; fi
      after=$(load1)
      "$python" - "$base-lenet5.json" "$base-torch.txt" "$b" "$t" "$p" "$before" "$after" >>"$pairs_file" <<'EOF'
import json, sys
lenet, torch_out, b, t, p, before, after = sys.argv[1:]
run = json.load(open(lenet))["runs"][0]
le, li = run["epoch_seconds"]["samples"][-1], run["inference_seconds"]["samples"][-1]
last = [l for l in open(torch_out) if l.startswith("epoch ")][-1].split()
f = dict(zip(last[2::2], last[3::2]))
te, ti = float(f["train_s"]), float(f["eval_s"])
print(f"{b}\t{t}\t{p}\t{le:.3f}\t{te:.3f}\t{te / le:.2f}\t{li:.4f}\t{ti:.4f}\t{ti / li:.2f}\t{before}\t{after}")
EOF
      tail -1 "$pairs_file" | awk -F'\t' '{printf "%5s %7s %4s  %14s %13s %7s  %14s %13s %7s  %s / %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11}'
    done
  done
done

"$python" - "$pairs_file" "$out/summary.md" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((int(r["batch"]), int(r["threads"])), []).append(r)
med = lambda rs, k: statistics.median(float(r[k]) for r in rs)
lines = ["| batch | threads | lenet5 epoch s | PyTorch epoch s | train ratio (median of pairs) | lenet5 inference s | PyTorch inference s | inference ratio | pairs | load (1 min) |",
         "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for (b, t), rs in sorted(groups.items()):
    ratios = sorted(float(r["train_ratio"]) for r in rs)
    loads = [float(r["load1_before"]) for r in rs] + [float(r["load1_after"]) for r in rs]
    lines.append(f"| {b} | {t} | {med(rs, 'lenet5_epoch_s'):.2f} | {med(rs, 'torch_epoch_s'):.2f} | "
                 f"**{med(rs, 'train_ratio'):.1f}x** ({ratios[0]:.1f}-{ratios[-1]:.1f}) | {med(rs, 'lenet5_inference_s'):.3f} | "
                 f"{med(rs, 'torch_inference_s'):.3f} | **{med(rs, 'inference_ratio'):.1f}x** | {len(rs)} | {min(loads):.2f}-{max(loads):.2f} |")
two = {b: rs for (b, t), rs in groups.items() if t == 2}
one = {b: rs for (b, t), rs in groups.items() if t == 1}
for b in sorted(set(one) & set(two)):
    e1 = {r["pair"]: float(r["lenet5_epoch_s"]) for r in one[b]}
    e2 = {r["pair"]: float(r["lenet5_epoch_s"]) for r in two[b]}
    per_pair = sorted(e1[p] / e2[p] for p in e1 if p in e2)
    lines.append(f"\nlenet5 batch {b}: 2 threads are {statistics.median(per_pair):.2f}x as fast as 1 thread (median of the "
                 f"pairs' ratios, {len(per_pair)} pair(s), range {per_pair[0]:.2f}-{per_pair[-1]:.2f}; ratio of the "
                 f"median epoch seconds: {med(one[b], 'lenet5_epoch_s') / med(two[b], 'lenet5_epoch_s'):.2f}x)")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n" + "\n".join(lines))
EOF
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
echo "raw results: $out (pairs.tsv, summary.md, every run's output)"
