package org.lenet5.backend.cpu;

import org.lenet5.backend.Backend;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Training and inference throughput of the cpu backend (and the reference) on this machine; a timing loop, not a
 * test (for whole epochs on real MNIST use lenet5 bench; docs/benchmarks.md). Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *      org.lenet5.backend.cpu.CpuBackendBenchmark [flux|classic] [MNIST_DIR|-] [seconds] [batches] [threads] [reference]
 * </pre>
 * batches and threads are comma-separated lists (default 32,128 and 1,2); reference: also time the reference
 * backend (yes|no, default yes).
 * Without MNIST_DIR (raw IDX files) it uses random images; speed does not depend on the pixels.
 */
public final class CpuBackendBenchmark {

    public static void main(String[] args) throws IOException {
        Architecture arch = args.length > 0 ? Architecture.parse(args[0]) : Architecture.FLUX;
        Dataset data = args.length > 1 && !args[1].equals("-") ? readMnist(Path.of(args[1]))
                : CpuTestSupport.randomImages(60_000, 28, 28, 1);
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 4;
        ModelSpec spec = ModelSpec.forImages(arch, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(arch, 28, 28);
        System.out.printf("%s on %s (%d images), %d cores, %d-lane vectors, load %s%n", spec, data.name(),
                data.count(), Runtime.getRuntime().availableProcessors(), Gemm.L, loadAverage());
        int[] order = new int[data.count()];
        new org.lenet5.util.SeededRandom(2).permutation(order, order.length);
        int[] batches = ints(args.length > 3 ? args[3] : "32,128"), teams = ints(args.length > 4 ? args[4] : "1,2");
        boolean withReference = args.length <= 5 || args[5].equals("yes");
        for (int batch : batches) {
            for (int threads : teams)
                try (CpuBackend cpu = new CpuBackend(spec, prep, batch, threads)) {
                    report("cpu " + threads + " thread(s)", batch, cpu, data, order, seconds);
                }
            if (withReference)
                try (ReferenceBackend ref = new ReferenceBackend(spec, prep, batch)) {
                    report("reference", batch, ref, data, order, Math.min(seconds, 3));
                }
        }
        System.out.println("load after: " + loadAverage());
    }

    private static int[] ints(String list) {
        return java.util.Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static void report(String what, int batch, Backend b, Dataset data, int[] order, double seconds) {
        b.setParameters(Initializer.initialParameters(b.spec(), 1));
        OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
        int steps = order.length / batch;
        long[] step = {0};
        Runnable train = () -> {
            int s = (int) (step[0] % steps);
            b.forwardBackward(data, order, s * batch, batch);
            b.update(adam, 1e-3f, ++step[0]);
        };
        double trainRate = rate(train, batch, seconds);
        double trainCpu = lastCpuPerImage;
        int[] at = {0};
        Runnable infer = () -> {
            int s = at[0]++ % steps;
            b.evaluate(data, order, s * batch, batch, null);
        };
        double inferRate = rate(infer, batch, seconds / 2);
        long before = allocatedBytes();
        for (int i = 0; i < 200; i++) train.run();
        double perStep = (allocatedBytes() - before) / 200.0;
        System.out.printf("%-20s batch %4d  train %6.0f images/s (epoch of 60000: %5.1f s wall, %5.1f s cpu)"
                + "  evaluate %6.0f images/s  allocated %.0f bytes/step%n",
                what, batch, trainRate, 60_000 / trainRate, 60_000 * trainCpu, inferRate, perStep);
    }

    /**
     * Images per second of the best of 3 timed windows, after a warm-up as long as one window. Also keeps the
     * process CPU seconds per image of that window in lastCpuPerImage: on a machine shared with other work the
     * wall-clock rate depends on what else runs, the CPU time much less.
     */
    private static double rate(Runnable step, int batch, double seconds) {
        double window = seconds / 4;
        run(step, window);
        double best = 0;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            long n = run(step, window);
            double r = n * batch / ((System.nanoTime() - t0) * 1e-9);
            if (r > best) {
                best = r;
                lastCpuPerImage = (processCpuNanos() - c0) * 1e-9 / (n * batch);
            }
        }
        return best;
    }

    private static double lastCpuPerImage;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long run(Runnable step, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9), n = 0;
        while (System.nanoTime() < end) {
            step.run();
            n++;
        }
        return n;
    }

    /** Bytes allocated so far by this thread and the cpu backend's workers. */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t == Thread.currentThread() || t.getName().startsWith("lenet5-cpu")) total += mx.getThreadAllocatedBytes(t.getId());
        return total;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Raw IDX train files from dir (the data package's reader is not used here to keep the benchmark standalone). */
    private static Dataset readMnist(Path dir) throws IOException {
        byte[] images, labels;
        int count, rows, cols;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve("train-images-idx3-ubyte")))) {
            in.readInt();
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            images = in.readNBytes(count * rows * cols);
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve("train-labels-idx1-ubyte")))) {
            in.readInt();
            labels = in.readNBytes(in.readInt());
        }
        return new Dataset("mnist-train", images, labels, count, rows, cols);
    }
}
