package org.lenet5.backend.cuda;

import org.lenet5.backend.BatchResult;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.model.Architecture;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole CUDA backend against the float64 reference, llm.c style: the same weights and images through both,
 * then every layer output, every layer gradient and every parameter gradient compared per tensor (worst element
 * named), for both architectures, batch sizes 1, 3, 32 and a partial last batch (13 of 45 with batches of 32),
 * square and non-square (28x36) images. Then an optimizer step, evaluation with probabilities, and determinism.
 */
@Tag("gpu")
class CudaBackendGpuTest {

    /** Batches (from, count) over 45 images with a maximum batch of 32: sizes 1, 3, 32 and the partial 13. */
    private static final int[][] BATCHES = {{0, 1}, {1, 3}, {0, 32}, {32, 13}};

    @ParameterizedTest(name = "{0} {1}x{2}, deterministic {3}")
    @CsvSource({"flux, 28, 28, false", "flux, 28, 36, true", "classic, 28, 28, true", "classic, 28, 36, false"})
    void everyOutputAndGradientMatchesTheReference(String archId, int rows, int cols, boolean deterministic) {
        CudaStatus s = GpuSupport.requireAll();
        ComparisonCase c = ComparisonCase.of(Architecture.parse(archId), rows, cols, 45, 21);
        ModelSpec spec = c.spec();
        ReferenceBackend ref = new ReferenceBackend(spec, c.prep(), 32);
        try (CudaBackend gpu = new CudaBackend(s, spec, c.prep(), 32, deterministic)) {
            ref.setParameters(c.parameters());
            gpu.setParameters(c.parameters());
            float[] back = new float[ref.layout().size()];
            gpu.getParameters(back);
            assertArrayEquals(c.parameters(), back, "parameters round-trip");

            for (int[] b : BATCHES) {
                String where = spec + " batch [" + b[0] + ", +" + b[1] + ")";
                BatchResult rr = ref.forwardBackward(c.data(), c.order(), b[0], b[1]);
                BatchResult rg = gpu.forwardBackward(c.data(), c.order(), b[0], b[1]);
                compareBatch(where, ref, gpu, spec, b[1], rr, rg);
            }

            // One momentum step from the last batch's gradients: linear in the gradient, so the tolerance carries over.
            OptimizerSettings momentum = OptimizerSettings.of(OptimizerKind.MOMENTUM, 1e-3f);
            ref.update(momentum, 0.05f, 1);
            gpu.update(momentum, 0.05f, 1);
            float[] pg = new float[ref.layout().size()];
            gpu.getParameters(pg);
            Compare.close(spec + " parameters after a momentum step", ref.parameters(), pg, 1e-5);
            assertEquals(1, gpu.getOptimizerState().length, "momentum keeps one state buffer");

            float[] probsGpu = new float[32 * 10], probsRef = new float[32 * 10];
            BatchResult eg = gpu.evaluate(c.data(), c.order(), 13, 32, probsGpu);
            BatchResult er = ref.evaluate(c.data(), c.order(), 13, 32, probsRef);
            Compare.close(spec + " evaluation probabilities", Compare.toDouble(probsRef), probsGpu);
            assertEquals(er.lossSum(), eg.lossSum(), 1e-4 * Math.abs(er.lossSum()), "evaluation loss");
            assertEquals(er.correct(), eg.correct(), "evaluation correct count");
        }
    }

    private static void compareBatch(String where, ReferenceBackend ref, CudaBackend gpu, ModelSpec spec, int n,
                                     BatchResult rr, BatchResult rg) {
        assertEquals(n, rg.count());
        assertEquals(rr.lossSum(), rg.lossSum(), 1e-4 * Math.abs(rr.lossSum()), where + ": loss sum");
        assertEquals(rr.correct(), rg.correct(), where + ": correct count");
        Map<LayerOutput, float[]> device = new EnumMap<>(LayerOutput.class);
        for (LayerOutput l : LayerOutput.values()) {
            float[] out = gpu.readOutput(l);
            device.put(l, out);
            Compare.close(where + " output " + l, ref.output(l), out);
        }
        GradientOracle oracle = new GradientOracle(ref, spec, n, device, 1e-5);
        String decisions = " (decisions taken from the device at near-ties: " + oracle.reluDecisionsFromDevice + " ReLU, "
                + oracle.poolDecisionsFromDevice + " max-pool)";
        for (Map.Entry<LayerOutput, double[]> e : oracle.layerGradients.entrySet())
            Compare.close(where + " gradient of " + e.getKey() + decisions, e.getValue(), gpu.readGradient(e.getKey()));
        float[] g = new float[ref.layout().size()];
        gpu.getGradients(g);
        for (ParamTensor t : new ParameterLayout(spec).tensors())
            Compare.close(where + " gradient of " + t + decisions, Compare.slice(oracle.parameterGradients, t.offset(), t.end()),
                    Compare.slice(g, t.offset(), t.end()));
    }

    @Test
    void deterministicRunsWithTheSameSeedAreIdentical() {
        CudaStatus s = GpuSupport.requireAll();
        ComparisonCase c = ComparisonCase.of(Architecture.FLUX, 28, 28, 200, 4);
        float[][] params = new float[2][];
        double[][] losses = new double[2][];
        for (int run = 0; run < 2; run++) {
            try (CudaBackend gpu = new CudaBackend(s, c.spec(), c.prep(), 64, true)) {
                gpu.setParameters(c.parameters());
                OptimizerSettings adam = OptimizerSettings.of(OptimizerKind.ADAM, 0f);
                List<Double> l = new java.util.ArrayList<>();
                long step = 0;
                for (int from = 0; from < 200; from += 64) {
                    BatchResult r = gpu.trainStep(c.data(), c.order(), from, Math.min(64, 200 - from), adam, 1e-3f, ++step);
                    l.add(r.lossSum());
                }
                params[run] = new float[gpu.layout().size()];
                gpu.getParameters(params[run]);
                losses[run] = l.stream().mapToDouble(Double::doubleValue).toArray();
            }
        }
        assertArrayEquals(losses[0], losses[1], "losses bit for bit");
        assertArrayEquals(params[0], params[1], "parameters bit for bit");
    }

    @Test
    void optimizerStateRoundTripsAndAdamKeepsTwoBuffers() {
        CudaStatus s = GpuSupport.requireAll();
        ComparisonCase c = ComparisonCase.of(Architecture.CLASSIC, 28, 28, 16, 8);
        try (CudaBackend gpu = new CudaBackend(s, c.spec(), c.prep(), 16, false)) {
            gpu.setParameters(c.parameters());
            assertEquals(0, gpu.getOptimizerState().length, "no state before the first update");
            gpu.trainStep(c.data(), c.order(), 0, 16, OptimizerSettings.of(OptimizerKind.ADAM, 0f), 1e-3f, 1);
            float[][] state = gpu.getOptimizerState();
            assertEquals(2, state.length);
            float[][] changed = {state[0].clone(), state[1].clone()};
            changed[0][5] = 42f;
            gpu.setOptimizerState(changed);
            assertEquals(42f, gpu.getOptimizerState()[0][5]);
        }
    }
}
