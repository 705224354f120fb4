package org.lenet5.backend.cpu;

import org.lenet5.backend.BatchResult;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.data.Dataset;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerMath;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.SeededRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lenet5.backend.cpu.CpuTestSupport.*;

/**
 * The float32 cpu backend against the float64 reference (the oracle) on random batches: every layer output,
 * every parameter gradient, the loss, the accuracy count and optimizer steps.
 *
 * <p>Tolerance 1e-5 of each tensor's largest magnitude (see {@link CpuTestSupport.Comparison}): float32 rounds
 * every operation to a relative 6e-8, and the longest sums here (conv1's weight gradient: 576 positions per
 * image, 32 images; conv2's: one fma chain over a chunk's 16 x 64 positions) lose a few more bits, and the classic net's float32 tanh is a few ulps off (CpuLayersTest);
 * the largest error measured over all cases is 1.2e-6. A wrong index, stride, offset or a missing term is off by
 * order 1.
 */
class CpuBackendMatchesReferenceTest {

    static final double TOLERANCE = 1e-5, CHANGE_TOLERANCE = 1e-4;
    static final int MAX_BATCH = 32, THREADS = 2;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Net net : List.of(Net.of(Architecture.FLUX, 28, 28), Net.of(Architecture.CLASSIC, 28, 28),
                Net.of(Architecture.FLUX, 28, 36), Net.of(Architecture.CLASSIC, 36, 28)))
            for (int batch : new int[]{1, 3, 32}) list.add(Arguments.of(net, batch));
        return list.stream();
    }

    /** Initializer's weights (seeded) plus random biases, so a misplaced bias cannot hide behind zeros. */
    static float[] randomParameters(Net net, long seed) {
        float[] p = Initializer.initialParameters(net.spec(), seed);
        SeededRandom rng = new SeededRandom(seed + 1);
        for (ParamTensor t : new ParameterLayout(net.spec()).tensors())
            if (t.isBias()) for (int i = t.offset(); i < t.end(); i++) p[i] = (float) (0.2 * rng.nextDouble() - 0.1);
        return p;
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("cases")
    void layerOutputsGradientsLossAndAccuracyMatchTheFloat64Reference(Net net, int batch) {
        Dataset data = randomImages(40, net.prep().imageRows(), net.prep().imageCols(), 7 + batch);
        compareOneBatch(net, data, randomParameters(net, 11 + batch), batch, net + " batch " + batch);
    }

    /**
     * Random data almost never ties two window values or lands exactly on ReLU's kink, so this builds both on
     * purpose. conv1 keeps one tap and no bias: its outputs are copies of pixels in {0, 128, 255}, so pooling
     * windows hold equal maxima (the gradient must go to the first in row-major order) or only zeros.
     * conv2 keeps one negative tap and a positive bias, so the largest conv2 outputs (ties again) sit where pool1
     * is zero, and their gradient reaches all-zero conv1 windows, where ReLU'(0) = 0 must stop it.
     * The weight gradients of conv1's other taps tell where a gradient went.
     */
    @Test
    void maxPoolGradientGoesToTheFirstOfEqualMaximaAndReluStopsAtZero() {
        Net net = Net.of(Architecture.FLUX, 28, 28);
        ParameterLayout layout = new ParameterLayout(net.spec());
        float[] p = randomParameters(net, 3);
        Arrays.fill(p, layout.conv1W.offset(), layout.conv1B.end(), 0f);
        Arrays.fill(p, layout.conv2W.offset(), layout.conv2B.end(), 0f);
        for (int o = 0; o < 6; o++) p[layout.conv1W.offset() + o * 25] = 0.5f + 0.1f * o;
        for (int o = 0; o < 16; o++) {
            p[layout.conv2W.offset() + o * 150 + (o % 6) * 25] = -(0.3f + 0.05f * o);
            p[layout.conv2B.offset() + o] = 0.5f;
        }
        SeededRandom rng = new SeededRandom(5);
        int count = 8;
        byte[] pixels = new byte[count * 28 * 28], labels = new byte[count];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (rng.nextInt(3) * 255 / 2);
        for (int i = 0; i < count; i++) labels[i] = (byte) rng.nextInt(10);
        compareOneBatch(net, new Dataset("ties", pixels, labels, count, 28, 28), p, count, "ties");
    }

    private static void compareOneBatch(Net net, Dataset data, float[] params, int batch, String context) {
        int[] order = identityOrder(data.count());
        int from = data.count() - batch;   // a slice of the order past 0, as in training
        Comparison cmp = new Comparison(context);
        try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), MAX_BATCH, THREADS);
             ReferenceBackend ref = new ReferenceBackend(net.spec(), net.prep(), MAX_BATCH)) {
            cpu.setParameters(params);
            ref.setParameters(params);
            BatchResult c = cpu.forwardBackward(data, order, from, batch);
            BatchResult r = ref.forwardBackward(data, order, from, batch);
            for (LayerOutput l : LayerOutput.values())
                cmp.check(l.name().toLowerCase(), cpu.readOutput(l), ref.output(l),
                        prepend(batch, outputShape(net.spec(), l)), TOLERANCE);
            float[] grads = new float[cpu.layout().size()];
            cpu.getGradients(grads);
            for (ParamTensor t : cpu.layout().tensors())
                cmp.check(t.name() + " grad", slice(grads, t.offset(), t.end()),
                        slice(ref.gradients(), t.offset(), t.end()), t.shape(), TOLERANCE);
            cmp.check("loss", new float[]{(float) c.lossSum()}, new double[]{r.lossSum()}, new int[]{1}, TOLERANCE);
            if (c.correct() != r.correct() || c.count() != batch)
                cmp.fail("correct " + c.correct() + "/" + c.count() + " vs reference " + r.correct() + "/" + r.count());
        }
        cmp.assertNoFailures();
    }

    /**
     * Two optimizer steps (so momentum and Adam use their state) after two batches, with L2 on. The cpu backend
     * must apply OptimizerMath's float rule exactly (bit for bit, from its own gradients, state created on the
     * first update), and agree with the reference backend's float64 step given the same gradients (copied into
     * it), so only the rule's rounding is measured: Adam divides every gradient by its own magnitude, so
     * comparing steps taken from each backend's own gradients would measure float32 noise on near-zero gradients
     * instead. Compared: each parameter's total change, to 1e-4 of the largest change, because a float32
     * parameter w is only known to ulp(w), up to 6e-8 |w| per step: with |w| up to 0.5 and Adam's changes of
     * 2e-3 over two steps that is 3e-5 of the change (measured at most 2.7e-5).
     */
    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void optimizerStepsApplyTheFloatRuleExactlyAndMatchTheReferenceRule(OptimizerKind kind) {
        Net net = Net.of(Architecture.FLUX, 28, 28);
        OptimizerSettings opt = OptimizerSettings.of(kind, 1e-3f);
        float lr = kind.stateBuffers() == 2 ? 1e-3f : 0.05f;
        Dataset data = randomImages(64, 28, 28, 21);
        int[] order = identityOrder(64);
        float[] start = randomParameters(net, 23);
        int size = start.length;
        float[] expected = start.clone(), s0 = new float[size], s1 = new float[size];
        float[] grads = new float[size], actual = new float[size];
        Comparison cmp = new Comparison(kind.id());
        try (CpuBackend cpu = new CpuBackend(net.spec(), net.prep(), MAX_BATCH, THREADS);
             ReferenceBackend ref = new ReferenceBackend(net.spec(), net.prep(), MAX_BATCH)) {
            cpu.setParameters(start);
            ref.setParameters(start);
            assertEquals(0, cpu.getOptimizerState().length, "no optimizer state before the first update");
            for (int step = 1; step <= 2; step++) {
                cpu.forwardBackward(data, order, (step - 1) * 32, 32);
                cpu.getGradients(grads);
                for (int i = 0; i < size; i++) ref.gradients()[i] = grads[i];
                cpu.update(opt, lr, step);
                ref.update(opt, lr, step);
                OptimizerMath.update(opt, lr, step, expected, grads, s0, s1, 0, size);
                cpu.getParameters(actual);
                assertArrayEquals(expected, actual, kind + " step " + step + ": parameters differ from OptimizerMath's float rule");
            }
            float[][] state = cpu.getOptimizerState();
            assertEquals(kind.stateBuffers(), state.length, "optimizer state buffers");
            if (state.length > 0) assertArrayEquals(s0, state[0], "first state buffer");
            if (state.length > 1) assertArrayEquals(s1, state[1], "second state buffer");

            float[] change = new float[size];
            double[] refChange = new double[size];
            for (int i = 0; i < size; i++) {
                change[i] = actual[i] - start[i];
                refChange[i] = ref.parameters()[i] - start[i];
            }
            for (ParamTensor t : cpu.layout().tensors())
                cmp.check(t.name() + " change", slice(change, t.offset(), t.end()),
                        slice(refChange, t.offset(), t.end()), t.shape(), CHANGE_TOLERANCE);
        }
        cmp.assertNoFailures();
    }

    static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
