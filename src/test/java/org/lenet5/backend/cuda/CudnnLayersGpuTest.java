package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceLayers;
import org.lenet5.model.Activation;
import org.lenet5.model.Pooling;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cuDNN layers one at a time, fed the same float inputs as ReferenceLayers (so no float-vs-double decision
 * can differ), with heights different from widths so a swapped H/W shows. Needs the driver and cuDNN 9 only.
 */
@Tag("gpu")
class CudnnLayersGpuTest {

    @ParameterizedTest(name = "conv {1}->{4}, {2}x{3}, batch {0}, deterministic {5}")
    @CsvSource({"3, 1, 28, 36, 6, false", "3, 6, 12, 16, 16, true", "1, 1, 32, 32, 6, true", "32, 6, 14, 10, 16, false"})
    void convolutionForwardAndBackwardMatchTheReference(int n, int c, int h, int w, int k, boolean deterministic) {
        CudaStatus s = GpuSupport.requireCudnn();
        int r = 5, oh = h - 4, ow = w - 4;
        SeededRandom rnd = new SeededRandom(n * 1000L + c * 100 + h);
        float[] x = random(rnd, n * c * h * w), weights = random(rnd, k * c * r * r), bias = random(rnd, k), dy = random(rnd, n * k * oh * ow);
        double[] p = new double[k * c * r * r + k];
        for (int i = 0; i < weights.length; i++) p[i] = weights[i];
        for (int i = 0; i < k; i++) p[weights.length + i] = bias[i];
        double[] y = new double[n * k * oh * ow], g = new double[p.length], dx = new double[x.length];
        ReferenceLayers.convForward(Compare.toDouble(x), n, c, h, w, p, 0, weights.length, k, r, y);
        ReferenceLayers.convBackward(Compare.toDouble(x), n, c, h, w, p, 0, k, r, Compare.toDouble(dy), g, 0, weights.length, dx);

        try (CudaContext ctx = new CudaContext(s.gpu(), true, false);
             CudnnConvolution conv = new CudnnConvolution(ctx, "conv", c, h, w, k, r, n, true, deterministic);
             Workspace ws = new Workspace();
             DeviceBuffer dX = upload("x", x);
             DeviceBuffer dW = upload("w", weights);
             DeviceBuffer dB = upload("b", bias);
             DeviceBuffer dDy = upload("dy", dy);
             DeviceBuffer dY = DeviceBuffer.allocate("y", "", DeviceBuffer.Type.FLOAT, y.length);
             DeviceBuffer dGw = DeviceBuffer.allocate("dw", "", DeviceBuffer.Type.FLOAT, weights.length);
             DeviceBuffer dGb = DeviceBuffer.allocate("db", "", DeviceBuffer.Type.FLOAT, k);
             DeviceBuffer dDx = DeviceBuffer.allocate("dx", "", DeviceBuffer.Type.FLOAT, x.length)) {
            ws.ensure(conv.prepare(n, ws.bytes()));
            conv.forward(dX.pointer(), dW.pointer(), dB.pointer(), dY.pointer(), ws);
            conv.backwardWeights(dX.pointer(), dDy.pointer(), dGw.pointer(), dGb.pointer(), ws);
            conv.backwardData(dW.pointer(), dDy.pointer(), dDx.pointer(), ws);
            Compare.close("conv forward " + conv, y, download(dY));
            Compare.close("conv weight gradient " + conv, Compare.slice(g, 0, weights.length), download(dGw));
            Compare.close("conv bias gradient " + conv, Compare.slice(g, weights.length, p.length), download(dGb));
            Compare.close("conv input gradient " + conv, dx, download(dDx));
        }
    }

    @ParameterizedTest(name = "{0} pooling {2}x{3}, batch {1}")
    @CsvSource({"MAX, 3, 24, 32", "MAX, 2, 9, 7", "AVERAGE, 3, 28, 36", "AVERAGE, 1, 9, 7"})
    void poolingForwardAndBackwardMatchTheReferenceIncludingTies(Pooling kind, int n, int h, int w) {
        CudaStatus s = GpuSupport.requireCudnn();
        int c = 6, ph = h / 2, pw = w / 2;
        SeededRandom rnd = new SeededRandom(h * 31L + w);
        float[] x = random(rnd, n * c * h * w);
        // Exact ties, as ReLU zeros and blank image areas give: the first maximum in row-major order gets the gradient.
        for (int i = 0; i < x.length; i += 7) x[i] = 0f;
        for (int i = 0; i + w + 1 < x.length; i += 53) { x[i] = 0.75f; x[i + 1] = 0.75f; x[i + w] = 0.75f; }
        float[] dy = random(rnd, n * c * ph * pw);
        double[] y = new double[dy.length], dx = new double[x.length];
        ReferenceLayers.poolForward(kind, Compare.toDouble(x), n, c, h, w, y);
        ReferenceLayers.poolBackward(kind, Compare.toDouble(x), n, c, h, w, Compare.toDouble(dy), dx);
        for (boolean deterministic : new boolean[]{false, true})
            try (CudaContext ctx = new CudaContext(s.gpu(), true, false);
                 CudnnPooling pool = new CudnnPooling(ctx, "pool", kind, c, h, w, n, deterministic);
                 DeviceBuffer dX = upload("x", x);
                 DeviceBuffer dDy = upload("dy", dy);
                 DeviceBuffer dY = DeviceBuffer.allocate("y", "", DeviceBuffer.Type.FLOAT, y.length);
                 DeviceBuffer dDx = DeviceBuffer.allocate("dx", "", DeviceBuffer.Type.FLOAT, x.length)) {
                pool.setBatch(n);
                pool.forward(dX.pointer(), dY.pointer());
                pool.backward(dY.pointer(), dDy.pointer(), dX.pointer(), dDx.pointer());
                Compare.close(kind + " pool forward " + pool, y, download(dY), 1e-6);
                Compare.close(kind + " pool backward " + pool + " (deterministic " + deterministic + ")", dx, download(dDx), 1e-6);
            }
    }

    @ParameterizedTest(name = "{0} on ({1}, {2}, {3}, {4})")
    @CsvSource({"RELU, 3, 6, 24, 32", "RELU, 5, 120, 1, 1", "SCALED_TANH, 3, 6, 28, 36", "SCALED_TANH, 5, 84, 1, 1"})
    void activationForwardAndBackwardMatchTheReference(Activation kind, int n, int c, int h, int w) {
        CudaStatus s = GpuSupport.requireCudnn();
        int len = n * c * h * w;
        SeededRandom rnd = new SeededRandom(len);
        float[] x = random(rnd, len);
        for (int i = 0; i < len; i++) x[i] *= 3;
        for (int i = 0; i < len; i += 11) x[i] = 0f;   // ReLU'(0) = 0
        float[] dy = random(rnd, len);
        double[] y = new double[len], dx = new double[len];
        ReferenceLayers.activationForward(kind, Compare.toDouble(x), y, len);
        ReferenceLayers.activationBackward(kind, Compare.toDouble(x), Compare.toDouble(dy), dx, len);
        try (CudaContext ctx = new CudaContext(s.gpu(), true, false);
             CudnnActivation act = new CudnnActivation(ctx, "act", kind, c, h, w, n);
             DeviceBuffer dX = upload("x", x);
             DeviceBuffer dDy = upload("dy", dy);
             DeviceBuffer dY = DeviceBuffer.allocate("y", "", DeviceBuffer.Type.FLOAT, len);
             DeviceBuffer dDx = DeviceBuffer.allocate("dx", "", DeviceBuffer.Type.FLOAT, len)) {
            act.setBatch(n);
            act.forward(dX.pointer(), dY.pointer());
            act.backward(dX.pointer(), dY.pointer(), dDy.pointer(), dDx.pointer());
            // tanh of float inputs in float32: a few ulp of the largest value (1.7159).
            Compare.close(kind + " forward", y, download(dY), 1e-6);
            Compare.close(kind + " backward", dx, download(dDx), 1e-6);
        }
    }

    static float[] random(SeededRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        return a;
    }

    static DeviceBuffer upload(String name, float[] a) {
        DeviceBuffer b = DeviceBuffer.allocate(name, "(" + a.length + ")", DeviceBuffer.Type.FLOAT, a.length);
        b.upload(a, a.length);
        return b;
    }

    static float[] download(DeviceBuffer b) {
        float[] a = new float[(int) b.elements()];
        b.download(a, a.length);
        return a;
    }
}
