#!/usr/bin/env python3
"""Pools the pairs of several bench/compare-pytorch.sh runs (each DIR holds its pairs.tsv) and prints, per batch
size, lenet5's 2 threads against 1 over all pairs (the median of the pairs' ratios, how many pairs reach a target,
the ratio of the median epoch seconds) and the median train and inference ratios against PyTorch per thread count.

Usage: bench/pool-pairs.py [--target 1.7] DIR [DIR ...]
Pairs are matched within a table only (pair p of a table ran its thread counts back to back)."""
import argparse
import csv
import os
import statistics
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--target", type=float, default=1.7, help="2-vs-1 ratio to count pairs against (default 1.7)")
parser.add_argument("dirs", nargs="+", metavar="DIR")
args = parser.parse_args()

rows = []
for d in args.dirs:
    path = os.path.join(d, "pairs.tsv")
    if not os.path.isfile(path):
        sys.exit(f"error: {path}: no such file (DIR must be a compare-pytorch.sh output directory)")
    with open(path) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["table"] = d
            rows.append(r)
if not rows:
    sys.exit("error: no pairs in " + ", ".join(args.dirs))

print(f"{len(args.dirs)} table(s), {len(rows)} runs")
for b in sorted({int(r["batch"]) for r in rows}):
    at = [r for r in rows if int(r["batch"]) == b]
    for t in sorted({int(r["threads"]) for r in at}):
        rs = [r for r in at if int(r["threads"]) == t]
        med = lambda k: statistics.median(float(r[k]) for r in rs)
        print(f"batch {b}, {t} thread(s): {len(rs)} pairs, lenet5 epoch {med('lenet5_epoch_s'):.2f} s, PyTorch "
              f"{med('torch_epoch_s'):.2f} s, train ratio {med('train_ratio'):.2f}x, inference ratio "
              f"{med('inference_ratio'):.2f}x (medians of the pairs)")
    one = {(r["table"], r["pair"]): float(r["lenet5_epoch_s"]) for r in at if r["threads"] == "1"}
    two = {(r["table"], r["pair"]): float(r["lenet5_epoch_s"]) for r in at if r["threads"] == "2"}
    ratios = sorted(one[k] / two[k] for k in one if k in two)
    if ratios:
        reach = sum(x >= args.target for x in ratios)
        print(f"batch {b}: 2 threads against 1 over {len(ratios)} pairs: median {statistics.median(ratios):.2f}x "
              f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}, {reach} of {len(ratios)} at {args.target}x or more); "
              f"ratio of the median epoch seconds {statistics.median(one.values()) / statistics.median(two.values()):.2f}x")
