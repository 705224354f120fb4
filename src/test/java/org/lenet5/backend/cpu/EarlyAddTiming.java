package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;

import java.util.Locale;

/**
 * What adding finished chunks early (CpuBackend.addFinishedChunks) is worth: two N-thread cpu backends in one
 * process, one adding early and one not, trained in alternating blocks of steps (the order swapped every block), so
 * both meet the same host periods; the first quarter of the blocks is warm-up. Prints each backend's mean
 * microseconds per step, the median of the per-block ratios, and how many additions were made early. A timing
 * loop for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -XX:CompileCommandFile=src/main/jvm/compile-commands.txt \
 *      -cp target/classes:target/test-classes org.lenet5.backend.cpu.EarlyAddTiming DATA_DIR [batch] [threads] [blocks]
 *      [control]      (default 128 2 40; control: neither backend adds early, to see the harness's own spread)
 * </pre>
 */
public final class EarlyAddTiming {

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: EarlyAddTiming DATA_DIR [batch] [threads] [blocks]");
            System.exit(2);
        }
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        boolean control = args.length > 4 && args[4].equals("control");   // both without: the harness's own spread
        int steps = Math.max(1, 6400 / batch);
        Dataset train = AlternatingBlocks.training(args[0]);
        CpuBackend[] backends = {new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, batch, threads, false),
                new CpuBackend(AlternatingBlocks.SPEC, AlternatingBlocks.PREP, batch, threads, !control)};
        try {
            long[] earlyAtStart = {0};
            AlternatingBlocks.Result r = AlternatingBlocks.run(train, backends, batch, blocks, steps,
                    () -> earlyAtStart[0] = backends[1].earlyAdds.get());
            long early = backends[1].earlyAdds.get() - earlyAtStart[0];
            System.out.printf(Locale.ROOT, "batch %d, %d threads: %.0f us per step without early adds, %.0f with: "
                            + "%.3fx (per block: median %.3fx, range %.3f-%.3fx; %d blocks of %d steps after %d of "
                            + "warm-up); %.2f early additions per step%n",
                    batch, backends[1].threads(), r.usPerStep()[0], r.usPerStep()[1], r.ratio(),
                    r.medianRatio(), r.ratios()[0], r.ratios()[r.counted() - 1], r.counted(), steps, r.skip(),
                    early / (double) (r.counted() * steps));
        } finally {
            for (CpuBackend b : backends) b.close();
        }
    }
}
