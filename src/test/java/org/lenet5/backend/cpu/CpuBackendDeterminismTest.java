package org.lenet5.backend.cpu;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.LayerOutput;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.lenet5.backend.cpu.CpuTestSupport.*;

/** Reproducibility of the cpu backend: what must be bit-identical, and what may differ only by rounding. */
class CpuBackendDeterminismTest {

    static final OptimizerSettings ADAM = OptimizerSettings.of(OptimizerKind.ADAM, 1e-4f);

    static Net net(Architecture arch) { return Net.of(arch, 28, 28); }

    /** Five Adam steps (the last a partial batch of 20) on one backend; returns params and grads after each step. */
    private static float[][] train(Net net, int threads, Dataset data, int[] order) {
        int size = new org.lenet5.model.ParameterLayout(net.spec()).size();
        float[][] trace = new float[10][size];
        try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), 32, threads)) {
            cpu.setParameters(CpuBackendMatchesReferenceTest.randomParameters(net, 31));
            for (int step = 1; step <= 5; step++) {
                int count = step == 5 ? 20 : 32;
                cpu.forwardBackward(data, order, (step - 1) * 32, count);
                cpu.getGradients(trace[2 * step - 2]);
                cpu.update(ADAM, 1e-3f, step);
                cpu.getParameters(trace[2 * step - 1]);
            }
        }
        return trace;
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void sameThreadCountGivesBitIdenticalGradientsAndParameters(Architecture arch) {
        Net net = net(arch);
        Dataset data = randomImages(160, 28, 28, 41);
        int[] order = identityOrder(160);
        float[][] a = train(net, 2, data, order), b = train(net, 2, data, order);
        for (int i = 0; i < a.length; i++)
            assertArrayEquals(a[i], b[i], (i % 2 == 0 ? "gradients" : "parameters") + " after step " + (i / 2 + 1));
    }

    /**
     * A member left with no chunk to claim adds the finished chunks into the gradient while the others finish
     * (CpuBackend.addFinishedChunks). Batches of 128 (8 chunks) and a partial 100 on 2 and 3 threads, with and
     * without that, against 1 thread (which never does it): the same gradients and parameters to the bit; and the
     * early additions really happened (which needs the threads to run at the same time, so 2 or more cores).
     */
    @Test
    void addingFinishedChunksEarlyGivesBitIdenticalTraining() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "needs 2 cores for the threads to overlap");
        Net net = net(Architecture.FLUX);
        int steps = 12, size = new org.lenet5.model.ParameterLayout(net.spec()).size();
        Dataset data = randomImages(steps * 128, 28, 28, 47);
        int[] order = identityOrder(steps * 128);
        float[][][] traces = new float[5][][];
        long[] early = new long[5];
        int[][] configs = {{1, 1}, {2, 0}, {2, 1}, {3, 0}, {3, 1}};   // threads, adds early
        for (int c = 0; c < configs.length; c++) {
            float[][] trace = new float[2 * steps][size];
            try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), 128, configs[c][0], configs[c][1] == 1)) {
                cpu.setParameters(CpuBackendMatchesReferenceTest.randomParameters(net, 37));
                for (int step = 1; step <= steps; step++) {
                    int count = step % 4 == 0 ? 100 : 128;
                    cpu.forwardBackward(data, order, (step - 1) * 128, count);
                    if (step % 2 == 0) cpu.getGradients(trace[2 * step - 2]);   // the reduction path too
                    cpu.update(ADAM, 1e-3f, step);
                    if (step % 2 == 1) cpu.getGradients(trace[2 * step - 2]);
                    cpu.getParameters(trace[2 * step - 1]);
                }
                early[c] = cpu.earlyAdds.get();
            }
            traces[c] = trace;
        }
        assertEquals(0, early[0] + early[1] + early[3], "1 thread, and the backends told not to, add nothing early");
        assertTrue(early[2] > 0 && early[4] > 0, "early additions on 2 and 3 threads: " + early[2] + ", " + early[4]);
        for (int c = 1; c < configs.length; c++)
            for (int i = 0; i < traces[0].length; i++)
                assertArrayEquals(traces[0][i], traces[c][i], configs[c][0] + " threads, early " + (configs[c][1] == 1)
                        + ": " + (i % 2 == 0 ? "gradients" : "parameters") + " after step " + (i / 2 + 1));
    }

    /**
     * Chunks are cut the same way and summed in the same order whichever thread runs them, so 1, 2 and 3 threads
     * give bit-identical gradients, parameters, losses and layer outputs (3 threads: more threads than the 2
     * chunks of a batch of 32, and than the 2 chunks of the partial last batch of 20).
     */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void anyThreadCountGivesBitIdenticalTraining(Architecture arch) {
        Net net = net(arch);
        Dataset data = randomImages(160, 28, 28, 43);
        int[] order = identityOrder(160);
        float[][] one = train(net, 1, data, order);
        for (int threads : new int[]{2, 3}) {
            float[][] other = train(net, threads, data, order);
            for (int i = 0; i < one.length; i++)
                assertArrayEquals(one[i], other[i], threads + " threads: " + (i % 2 == 0 ? "gradients" : "parameters")
                        + " after step " + (i / 2 + 1));
        }
        float[] params = CpuBackendMatchesReferenceTest.randomParameters(net, 47);
        try (CpuBackend a = new CpuBackend(net.spec(), net.prep(), 32, 1);
             CpuBackend b = new CpuBackend(net.spec(), net.prep(), 32, 2)) {
            assertEquals(2, b.threads());
            a.setParameters(params);
            b.setParameters(params);
            BatchResult r1 = a.forwardBackward(data, order, 0, 32), r2 = b.forwardBackward(data, order, 0, 32);
            assertEquals(r1.correct(), r2.correct());
            assertEquals(r1.lossSum(), r2.lossSum(), 0.0, "losses summed in chunk order");
            for (LayerOutput l : LayerOutput.values()) assertArrayEquals(a.readOutput(l), b.readOutput(l), l + " output");
        }
    }

    /**
     * evaluate's per-image results are the same computation whatever batch an image is in and however many threads
     * run: probabilities bit-identical for batches of 32, 7 (5 batches, the last of 4) and 1, and for 1 thread;
     * accuracy identical; the loss sums the same per-image values (only the double additions group differently).
     */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void evaluateIsBitIdenticalAcrossBatchSizesAndThreadCounts(Architecture arch) {
        Net net = net(arch);
        Dataset data = randomImages(32, 28, 28, 53);
        int[] order = identityOrder(32);
        float[] params = CpuBackendMatchesReferenceTest.randomParameters(net, 59);
        float[] whole = new float[32 * 10];
        BatchResult reference;
        try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), 32, 2)) {
            cpu.setParameters(params);
            reference = cpu.evaluate(data, order, 0, 32, whole);
        }
        for (int threads : new int[]{1, 2})
            for (int batch : new int[]{32, 7, 1}) {
                float[] probabilities = new float[32 * 10], part = new float[batch * 10];
                double loss = 0;
                int correct = 0;
                try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), batch, threads)) {
                    cpu.setParameters(params);
                    for (int from = 0; from < 32; from += batch) {
                        int n = Math.min(batch, 32 - from);
                        BatchResult r = cpu.evaluate(data, order, from, n, part);
                        System.arraycopy(part, 0, probabilities, from * 10, n * 10);
                        loss += r.lossSum();
                        correct += r.correct();
                    }
                }
                String what = arch + " batch " + batch + ", " + threads + " thread(s)";
                assertArrayEquals(whole, probabilities, what + ": probabilities");
                assertEquals(reference.correct(), correct, what + ": correct");
                assertEquals(reference.lossSum(), loss, 1e-12 * reference.lossSum(), what + ": loss");
            }
    }

    /**
     * The update refreshes the backend's own copies of the dense weights (transposed, for the forward pass) in each
     * thread's range of the parameters: after Adam steps on 1, 2 and 3 threads, evaluating gives bit-identically
     * what a fresh backend given the updated parameters gives.
     */
    @ParameterizedTest
    @EnumSource(Architecture.class)
    void forwardPassAfterUpdatesUsesTheUpdatedWeights(Architecture arch) {
        Net net = net(arch);
        Dataset data = randomImages(96, 28, 28, 71);
        int[] order = identityOrder(96);
        for (int threads = 1; threads <= 3; threads++) {
            float[] params = CpuBackendMatchesReferenceTest.randomParameters(net, 73);
            float[] after = new float[params.length], expected = new float[32 * 10], actual = new float[32 * 10];
            try (CpuBackend trained = new CpuBackend(net.spec(), net.prep(), 32, threads);
                 CpuBackend fresh = new CpuBackend(net.spec(), net.prep(), 32, 1)) {
                trained.setParameters(params);
                for (int step = 1; step <= 2; step++) {
                    trained.forwardBackward(data, order, (step - 1) * 32, 32);
                    trained.update(ADAM, 1e-2f, step);
                }
                trained.getParameters(after);
                assertFalse(java.util.Arrays.equals(params, after), "the steps changed the parameters");
                fresh.setParameters(after);
                BatchResult r1 = trained.evaluate(data, order, 64, 32, actual);
                BatchResult r2 = fresh.evaluate(data, order, 64, 32, expected);
                assertArrayEquals(expected, actual, threads + " thread(s): probabilities");
                assertEquals(r2.lossSum(), r1.lossSum(), threads + " thread(s): loss");
            }
        }
    }

    /** A batch smaller than the largest (the last of an epoch) after a full one: as on a backend built for it. */
    @Test
    void partialBatchAfterAFullOneMatchesABackendBuiltForIt() {
        Net net = net(Architecture.CLASSIC);
        Dataset data = randomImages(40, 28, 28, 61);
        int[] order = identityOrder(40);
        float[] params = CpuBackendMatchesReferenceTest.randomParameters(net, 67);
        float[] g1 = new float[params.length], g2 = new float[params.length];
        try (CpuBackend big = new CpuBackend(net.spec(), net.prep(), 32, 2);
             CpuBackend small = new CpuBackend(net.spec(), net.prep(), 5, 2)) {
            big.setParameters(params);
            small.setParameters(params);
            big.forwardBackward(data, order, 0, 32);
            BatchResult r1 = big.forwardBackward(data, order, 35, 5);
            BatchResult r2 = small.forwardBackward(data, order, 35, 5);
            assertEquals(5, r1.count());
            assertEquals(r2.lossSum(), r1.lossSum());
            assertEquals(r2.correct(), r1.correct());
            big.getGradients(g1);
            small.getGradients(g2);
            assertArrayEquals(g2, g1, "gradients of the partial batch");
            for (LayerOutput l : LayerOutput.values()) {
                float[] out = big.readOutput(l);
                assertEquals(5 * net.spec().outputSize(l), out.length, l + " holds the 5 images of the last batch");
                assertArrayEquals(small.readOutput(l), out, l + " output");
            }
        }
    }

    @Test
    void batchesOutsideTheBackendsLimitsOrImagesOfAnotherSizeAreRejected() {
        Net net = net(Architecture.FLUX);
        Dataset data = randomImages(40, 28, 28, 71);
        int[] order = identityOrder(40);
        try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), 8, 2)) {
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                    () -> cpu.forwardBackward(data, order, 0, 9));
            assertTrue(tooBig.getMessage().contains("batch of 9 (max 8)"), tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cpu.evaluate(data, order, 0, 0, null));
            assertThrows(IllegalArgumentException.class, () -> cpu.forwardBackward(data, order, 36, 8));
            Dataset wide = randomImages(4, 28, 30, 73);
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> cpu.evaluate(wide, order, 0, 4, null));
            assertTrue(size.getMessage().contains("28x30"), size.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cpu.setParameters(new float[10]));
        }
    }

    @Test
    void cpuAndAutoBackendsAreTheCpuBackendWithTheRequestedThreads() {
        Net net = net(Architecture.FLUX);
        PrintStream notices = new PrintStream(new ByteArrayOutputStream());
        for (BackendKind kind : new BackendKind[]{BackendKind.CPU, BackendKind.AUTO})
            try (Backend b = Backends.create(new BackendOptions(kind, 2, false), net.spec(), net.prep(), 16, notices)) {
                assertEquals("cpu", b.name());
                assertEquals(2, ((CpuBackend) b).threads());
                assertEquals(16, b.maxBatchSize());
            }
    }
}
