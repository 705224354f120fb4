package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;

import java.util.Locale;

/**
 * How much faster N threads train than 1 when both meet the same machine: a 1-thread and an N-thread cpu backend
 * in one process, trained in alternating blocks of steps (the order swapped every block), so the host's slow and
 * fast periods, which on the 2-vCPU build VMs last seconds to minutes, hit both alike. Fresh-process pairs (bench/
 * compare-pytorch.sh) see whatever period each process ran in. The first quarter of the blocks is the JIT's
 * warm-up and is not counted. A timing loop for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp target/classes:target/test-classes \
 *      org.lenet5.backend.cpu.ThreadScaling DATA_DIR [batch] [threads] [blocks] [images per block]
 *      (default 32 2 40 6400)
 * </pre>
 */
public final class ThreadScaling {

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ThreadScaling DATA_DIR [batch] [threads] [blocks] [images per block]");
            System.exit(2);
        }
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        int steps = Math.max(1, (args.length > 4 ? Integer.parseInt(args[4]) : 6400) / batch);
        Dataset train = AlternatingBlocks.training(args[0]);
        CpuBackend[] backends = {new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, Math.max(batch, 256), 1),
                new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, Math.max(batch, 256), threads)};
        try {
            AlternatingBlocks.Result r = AlternatingBlocks.run(train, backends, batch, blocks, steps, () -> {});
            System.out.printf(Locale.ROOT, "batch %d: 1 thread %.0f us per step, %d threads %.0f us per step: %.2fx"
                            + " (per block: median %.2fx, range %.2f-%.2fx; %d blocks of %d steps after %d of warm-up)%n",
                    batch, r.usPerStep()[0], backends[1].threads(), r.usPerStep()[1], r.ratio(),
                    r.medianRatio(), r.ratios()[0], r.ratios()[r.counted() - 1], r.counted(), steps, r.skip());
        } finally {
            for (CpuBackend b : backends) b.close();
        }
    }
}
