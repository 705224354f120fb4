package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceLayers;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerMath;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Our kernels on the GPU, by every loading path this machine offers (shipped PTX, NVRTC), against the oracles:
 * gather and optimizer exactly, softmax cross-entropy within float32 exp/log accuracy. Needs only the driver
 * (and NVRTC for that path): no cuBLAS or cuDNN.
 */
@Tag("gpu")
class KernelsGpuTest {

    @Test
    void everyLoadingPathComputesWhatTheOraclesDo() {
        CudaStatus s = GpuSupport.requireKernels();
        List<String> tried = new ArrayList<>();
        try (CudaContext ctx = new CudaContext(s.gpu(), false, false)) {
            for (KernelPath path : s.kernelPlan().order()) {
                tried.add(path.name());
                try (KernelModule gather = KernelModule.load(KernelSources.Unit.BATCH_GATHER, path, s.gpu());
                     KernelModule softmax = KernelModule.load(KernelSources.Unit.SOFTMAX_LOSS, path, s.gpu());
                     KernelModule optimizer = KernelModule.load(KernelSources.Unit.OPTIMIZER, path, s.gpu())) {
                    gatherMatchesPreprocessing(ctx, gather, 28, 28, 0);
                    gatherMatchesPreprocessing(ctx, gather, 28, 36, 2);
                    softmaxMatchesReference(ctx, softmax, 37);
                    softmaxMatchesReference(ctx, softmax, 700);
                    for (OptimizerKind k : OptimizerKind.values()) optimizerMatchesOptimizerMath(ctx, optimizer, k);
                }
            }
        }
        assertFalse(tried.isEmpty());
    }

    private static void gatherMatchesPreprocessing(CudaContext ctx, KernelModule module, int rows, int cols, int pad) {
        int count = 50, n = 17;
        SeededRandom r = new SeededRandom(rows + cols + pad);
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) r.nextInt(256);
        int[] order = new int[count];
        r.permutation(order, count);
        Preprocessing prep = new Preprocessing(rows, cols, pad, Preprocessing.UNIT_SCALE);
        int size = prep.inputHeight() * prep.inputWidth();
        try (DeviceBuffer px = DeviceBuffer.allocate("pixels", "", DeviceBuffer.Type.BYTE, pixels.length);
             DeviceBuffer idx = DeviceBuffer.allocate("index", "", DeviceBuffer.Type.INT, n);
             DeviceBuffer out = DeviceBuffer.allocate("input", "", DeviceBuffer.Type.FLOAT, (long) n * size)) {
            px.upload(pixels);
            idx.upload(order, 5, n);    // a slice of the order, as a training step uploads it
            new BatchGatherKernel(module).run(px.pointer(), idx.pointer(), n, prep, out.pointer());
            float[] got = new float[n * size];
            out.download(got, got.length);
            float[] expected = new float[n * size];
            for (int b = 0; b < n; b++) prep.apply(pixels, order[5 + b] * rows * cols, expected, b * size);
            assertArrayEquals(expected, got, "gather " + rows + "x" + cols + " pad " + pad + " by " + module);
        }
    }

    private static void softmaxMatchesReference(CudaContext ctx, KernelModule module, int n) {
        int classes = 10, count = n + 3;
        SeededRandom r = new SeededRandom(n);
        float[] logits = new float[n * classes];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (10 * r.nextDouble() - 5);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte) r.nextInt(classes);
        int[] index = new int[n];
        for (int b = 0; b < n; b++) index[b] = r.nextInt(count);
        try (DeviceBuffer z = DeviceBuffer.allocate("logits", "", DeviceBuffer.Type.FLOAT, logits.length);
             DeviceBuffer lab = DeviceBuffer.allocate("labels", "", DeviceBuffer.Type.BYTE, count);
             DeviceBuffer idx = DeviceBuffer.allocate("index", "", DeviceBuffer.Type.INT, n);
             DeviceBuffer probs = DeviceBuffer.allocate("probs", "", DeviceBuffer.Type.FLOAT, logits.length);
             DeviceBuffer dz = DeviceBuffer.allocate("dlogits", "", DeviceBuffer.Type.FLOAT, logits.length);
             DeviceBuffer loss = DeviceBuffer.allocate("row loss", "", DeviceBuffer.Type.FLOAT, n);
             DeviceBuffer ok = DeviceBuffer.allocate("row correct", "", DeviceBuffer.Type.INT, n);
             DeviceBuffer totals = DeviceBuffer.allocate("totals", "", DeviceBuffer.Type.DOUBLE, 2)) {
            z.upload(logits, logits.length);
            lab.upload(labels);
            idx.upload(index, 0, n);
            SoftmaxLossKernel k = new SoftmaxLossKernel(module);
            k.run(z.pointer(), lab.pointer(), idx.pointer(), n, probs.pointer(), dz.pointer(), loss.pointer(), ok.pointer(), totals.pointer());
            double[] t1 = new double[2], t2 = new double[2];
            totals.download(t1, 2);
            k.run(z.pointer(), lab.pointer(), idx.pointer(), n, probs.pointer(), dz.pointer(), loss.pointer(), ok.pointer(), totals.pointer());
            totals.download(t2, 2);
            assertArrayEquals(t1, t2, "the totals are summed in a fixed order: identical from run to run");

            double[] p = new double[logits.length], g = new double[logits.length];
            double lossRef = ReferenceLayers.softmaxCrossEntropy(Compare.toDouble(logits), n, classes, labels, index, p, g);
            int correct = 0;
            for (int b = 0; b < n; b++) if (ReferenceLayers.argmax(Compare.toDouble(logits), b, classes) == labels[index[b]]) correct++;
            float[] gotP = new float[logits.length], gotG = new float[logits.length];
            probs.download(gotP, gotP.length);
            dz.download(gotG, gotG.length);
            // CUDA's expf/logf are within 2 ulp: 1e-6 of the largest value covers it.
            Compare.close("probabilities (batch " + n + ")", p, gotP, 1e-6);
            Compare.close("dlogits (batch " + n + ")", g, gotG, 1e-6);
            assertEquals(lossRef, t1[0], 1e-6 * lossRef, "loss sum");
            assertEquals(correct, t1[1], "correct count");
        }
    }

    private static void optimizerMatchesOptimizerMath(CudaContext ctx, KernelModule module, OptimizerKind kind) {
        int n = 44_426;   // flux's parameter count: many blocks
        OptimizerSettings o = OptimizerSettings.of(kind, 1e-3f);
        SeededRandom r = new SeededRandom(kind.ordinal() + 10);
        float[] w = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (r.nextDouble() - 0.5);
        float[] s0 = new float[n], s1 = new float[n];
        try (DeviceBuffer dw = DeviceBuffer.allocate("w", "", DeviceBuffer.Type.FLOAT, n);
             DeviceBuffer dg = DeviceBuffer.allocate("g", "", DeviceBuffer.Type.FLOAT, n);
             DeviceBuffer d0 = DeviceBuffer.allocate("s0", "", DeviceBuffer.Type.FLOAT, n);
             DeviceBuffer d1 = DeviceBuffer.allocate("s1", "", DeviceBuffer.Type.FLOAT, n)) {
            dw.upload(w, n);
            d0.clear();
            d1.clear();
            OptimizerKernel k = new OptimizerKernel(module);
            for (int step = 1; step <= 3; step++) {
                for (int i = 0; i < n; i++) g[i] = (float) (0.02 * (r.nextDouble() - 0.5));
                dg.upload(g, n);
                float lr = 0.01f / step;
                k.run(o, lr, step, n, dw.pointer(), dg.pointer(), d0.pointer(), d1.pointer());
                OptimizerMath.update(o, lr, step, w, g, s0, s1, 0, n);
            }
            float[] got = new float[n];
            dw.download(got, n);
            // Built with fmad off and IEEE division and square root: the same float operations as Java.
            assertArrayEquals(w, got, kind + " by " + module);
        }
    }
}
