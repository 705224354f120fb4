package org.lenet5.backend.cpu;

import org.lenet5.data.Dataset;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.Evaluator;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * When the JIT compiler is done with the training step: trains the cpu backend from a fresh JVM in blocks of 250
 * steps and prints, per block, the milliseconds the JIT compilers spent (CompilationMXBean) and the microseconds per
 * step; one evaluation pass over the test set after the second block, as lenet5 bench's warm-up does. A timing loop
 * for docs/benchmarks.md, not a test. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp target/classes:target/test-classes \
 *      org.lenet5.backend.cpu.JitSettling DATA_DIR [batch] [threads] [blocks]     (default 32 2 24)
 * </pre>
 * DATA_DIR: the data directory holding mnist/ (data). Add {@code -XX:CompileCommandFile=src/main/jvm/compile-commands.txt}
 * to see what ./lenet5 runs (the per-step glue compiled within the first 750 steps; docs/benchmarks.md, entry 29).
 */
public final class JitSettling {

    private static final int BLOCK = 250;

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: JitSettling DATA_DIR [batch] [threads] [blocks]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 24;
        TrainTestData data = MnistLoader.load(DatasetKind.MNIST, dir, false, System.err);
        Dataset train = data.train(), test = data.test();
        ModelSpec spec = ModelSpec.forImages(Architecture.FLUX, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        int n = train.count();
        int[] order = new int[n];
        new SeededRandom(2).permutation(order, n);
        StringBuilder line = new StringBuilder();
        try (CpuBackend cpu = new CpuBackend(spec, prep, Math.max(batch, 256), threads)) {
            cpu.setParameters(Initializer.initialParameters(spec, 1));
            Evaluator evaluator = new Evaluator(cpu, 256);
            long step = 0;
            for (int b = 0, from = 0; b < blocks; b++) {
                long jit0 = jit.getTotalCompilationTime(), t0 = System.nanoTime();
                for (int s = 0; s < BLOCK; s++) {
                    if (from + batch > n) from = 0;
                    cpu.trainStep(train, order, from, batch, adam, 1e-3f, ++step);
                    from += batch;
                }
                if (b == 1) evaluator.evaluate(test);
                line.append(String.format(java.util.Locale.ROOT, "%d:%dms/%.0fus ", (b + 1) * BLOCK,
                        jit.getTotalCompilationTime() - jit0, (System.nanoTime() - t0) / 1e3 / BLOCK));
            }
        }
        System.out.println("batch " + batch + ", " + threads + " thread(s); per block of " + BLOCK
                + " steps: steps so far: JIT ms in the block / us per step (the block with the evaluation includes it)");
        System.out.println(line.toString().strip());
    }
}
