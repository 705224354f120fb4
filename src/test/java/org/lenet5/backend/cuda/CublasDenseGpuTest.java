package org.lenet5.backend.cuda;

import org.lenet5.backend.reference.ReferenceLayers;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.lenet5.backend.cuda.CudnnLayersGpuTest.download;
import static org.lenet5.backend.cuda.CudnnLayersGpuTest.random;
import static org.lenet5.backend.cuda.CudnnLayersGpuTest.upload;

/** The dense layers on cuBLAS against ReferenceLayers, with non-square shapes. Needs the driver and cuBLAS 12 only. */
@Tag("gpu")
class CublasDenseGpuTest {

    @ParameterizedTest(name = "batch {0}, {1} -> {2}")
    @CsvSource({"3, 7, 5", "3, 5, 7", "1, 84, 10", "32, 256, 120", "13, 400, 120", "256, 120, 84"})
    void forwardAndBackwardMatchTheReference(int n, int in, int out) {
        CudaStatus s = GpuSupport.requireCublas();
        SeededRandom r = new SeededRandom(n * 7L + in * 3L + out);
        float[] x = random(r, n * in), w = random(r, out * in), b = random(r, out), dy = random(r, n * out);
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        double[] p = new double[out * in + out];
        for (int i = 0; i < w.length; i++) p[i] = w[i];
        for (int i = 0; i < out; i++) p[w.length + i] = b[i];
        double[] y = new double[n * out], g = new double[p.length], dx = new double[n * in];
        ReferenceLayers.denseForward(Compare.toDouble(x), n, in, p, 0, w.length, out, y);
        ReferenceLayers.denseBackward(Compare.toDouble(x), n, in, p, 0, out, Compare.toDouble(dy), g, 0, w.length, dx);
        try (CudaContext ctx = new CudaContext(s.gpu(), false, true);
             DeviceBuffer dX = upload("x", x);
             DeviceBuffer dW = upload("w", w);
             DeviceBuffer dB = upload("b", b);
             DeviceBuffer dDy = upload("dy", dy);
             DeviceBuffer dOnes = upload("ones", ones);
             DeviceBuffer dY = DeviceBuffer.allocate("y", "", DeviceBuffer.Type.FLOAT, y.length);
             DeviceBuffer dGw = DeviceBuffer.allocate("dw", "", DeviceBuffer.Type.FLOAT, w.length);
             DeviceBuffer dGb = DeviceBuffer.allocate("db", "", DeviceBuffer.Type.FLOAT, out);
             DeviceBuffer dDx = DeviceBuffer.allocate("dx", "", DeviceBuffer.Type.FLOAT, dx.length)) {
            dGw.clear();    // (beta = 0 must overwrite whatever is there; cleared only to make a wrong beta visible as a non-zero)
            CublasDense dense = new CublasDense(ctx, "dense", in, out);
            dense.forward(n, dX.pointer(), dW.pointer(), dB.pointer(), dY.pointer(), dOnes.pointer());
            dense.backward(n, dX.pointer(), dW.pointer(), dDy.pointer(), dGw.pointer(), dGb.pointer(), dDx.pointer(), dOnes.pointer());
            Compare.close("dense forward " + dense, y, download(dY));
            Compare.close("dense weight gradient " + dense, Compare.slice(g, 0, w.length), download(dGw));
            Compare.close("dense bias gradient " + dense, Compare.slice(g, w.length, p.length), download(dGb));
            Compare.close("dense input gradient " + dense, dx, download(dDx));
        }
    }
}
