#!/bin/bash
# How ab-fresh-processes.tsv was made: a scratch script, kept as it ran. Its "glue" side passes the classes of src/main/jvm/compile-commands.txt as -XX:CompileCommand options (CC below), before that file existed.
# A/B: glue CompileThresholdScaling vs none, 1 and 2 threads, batch $1, rounds $2
cd /work/main
B=${1:-32}; R=${2:-6}
CC=""
for c in org.lenet5.backend.cpu.CpuBackend org.lenet5.backend.cpu.ChunkWorker org.lenet5.backend.cpu.WorkerPool org.lenet5.backend.Backend org.lenet5.train.Trainer org.lenet5.train.Evaluator org.lenet5.bench.TrainingBenchmark; do CC="$CC -XX:CompileCommand=CompileThresholdScaling,$c::*,0.1"; done
CC="-XX:CompileCommand=quiet $CC"
out=/tmp/ab/res-$B-$(date +%H%M%S).tsv
for r in $(seq 1 $R); do
  confs="plain:1 plain:2 glue:1 glue:2"
  [ $((r % 2)) -eq 0 ] && confs="glue:2 glue:1 plain:2 plain:1"
  for c in $confs; do
    v=${c%%:*}; t=${c##*:}
    opts=""; [ $v = glue ] && opts="$CC"
    JAVA_OPTS="$opts" ./lenet5 bench --data-dir data --batch-size $B --threads $t --epochs 2 --json /tmp/ab/x.json >/dev/null 2>&1
    e=$(python3 -c 'import json;r=json.load(open("/tmp/ab/x.json"))["runs"][0];print(r["epoch_seconds"]["samples"][-1])')
    printf '%s\t%s\t%s\t%s\n' $r $v $t $e | tee -a $out
  done
done
python3 - $out <<'P'
import sys,statistics as st,collections
d=collections.defaultdict(dict)
for l in open(sys.argv[1]):
    r,v,t,e=l.split(); d[(v,int(t))][r]=float(e)
for v in ("plain","glue"):
    one,two=d[(v,1)],d[(v,2)]
    rat=sorted(one[r]/two[r] for r in one if r in two)
    print(v, "1t median %.3f"%st.median(one.values()), "2t median %.3f"%st.median(two.values()), "2v1 per round", " ".join("%.2f"%x for x in rat), "median %.2f"%st.median(rat))
P
