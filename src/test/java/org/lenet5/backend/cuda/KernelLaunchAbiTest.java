package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.model.Architecture;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.OptimizerSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Java launchers pass each kernel exactly the parameters its shipped PTX declares, in order and of the
 * right kind (int -> .u32, float -> .f32, device pointer -> .u64): a launch with a missing, extra or swapped
 * argument would read garbage on the device, so this is checked without one by recording the launches.
 */
class KernelLaunchAbiTest {

    record Launch(String kernel, LaunchConfig config, Object[] args) {}

    private final List<Launch> launches = new ArrayList<>();
    private final KernelLauncher recorder = (kernel, config, context, arguments) -> launches.add(new Launch(kernel, config, arguments));

    @Test
    void gatherPassesTheImageGeometryAndScale() {
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.CLASSIC, 28, 36);
        new BatchGatherKernel(recorder).run(new Pointer(), new Pointer(), 13, prep, new Pointer());
        Launch l = only();
        assertMatchesPtx(l, KernelSources.Unit.BATCH_GATHER);
        assertEquals(List.of(13, 28, 36, 2, Preprocessing.UNIT_SCALE), List.of(l.args()).subList(2, 7));
        assertEquals(LaunchConfig.forElements(13L * 32 * 40), l.config(), "one thread per padded input element");
    }

    @Test
    void softmaxPassesTenClassesAndWritesTheGradientOnlyWhenAsked() {
        SoftmaxLossKernel k = new SoftmaxLossKernel(recorder);
        k.run(new Pointer(), new Pointer(), new Pointer(), 37, new Pointer(), new Pointer(), new Pointer(), new Pointer(), new Pointer());
        k.run(new Pointer(), new Pointer(), new Pointer(), 37, new Pointer(), null, new Pointer(), new Pointer(), new Pointer());
        assertEquals(4, launches.size());
        for (Launch l : launches) assertMatchesPtx(l, KernelSources.Unit.SOFTMAX_LOSS);
        assertEquals(List.of(37, 10, 1), List.of(launches.get(0).args()).subList(3, 6));
        assertEquals(0, launches.get(2).args()[5], "evaluation: write_grad 0");
        assertEquals("batch_totals", launches.get(1).kernel());
        assertEquals(LaunchConfig.totals(), launches.get(1).config());
    }

    @Test
    void everyOptimizerLaunchMatchesItsKernel() {
        OptimizerKernel k = new OptimizerKernel(recorder);
        for (OptimizerKind kind : OptimizerKind.values())
            k.run(OptimizerSettings.of(kind, 1e-4f), 0.01f, 3, 44_426, new Pointer(), new Pointer(), new Pointer(), new Pointer());
        assertEquals(OptimizerKind.values().length, launches.size());
        for (Launch l : launches) {
            assertMatchesPtx(l, KernelSources.Unit.OPTIMIZER);
            assertEquals(44_426, l.args()[0]);
            assertEquals(LaunchConfig.forElements(44_426), l.config());
        }
    }

    private Launch only() {
        assertEquals(1, launches.size());
        return launches.get(0);
    }

    private static void assertMatchesPtx(Launch l, KernelSources.Unit unit) {
        List<String> declared = ptxParameters(KernelSources.ptx(unit), l.kernel());
        assertEquals(declared.size(), l.args().length, l.kernel() + " takes " + declared);
        for (int i = 0; i < declared.size(); i++) {
            Object a = l.args()[i];
            String expected = a instanceof Integer ? ".u32" : a instanceof Float ? ".f32" : a instanceof Pointer ? ".u64" : "?";
            assertEquals(declared.get(i), expected, l.kernel() + " parameter " + i + " is " + declared.get(i) + " but gets " + a);
        }
    }

    /** The .param types of one .entry, in order. */
    static List<String> ptxParameters(String ptx, String kernel) {
        int start = ptx.indexOf(".visible .entry " + kernel + "(");
        assertTrue(start >= 0, kernel + " is not in the PTX");
        String params = ptx.substring(start, ptx.indexOf(")", start));
        List<String> types = new ArrayList<>();
        Matcher m = Pattern.compile("\\.param\\s+(\\.\\w+)\\s+" + kernel + "_param_(\\d+)").matcher(params);
        while (m.find()) {
            assertEquals(types.size(), Integer.parseInt(m.group(2)), "parameters in order");
            types.add(m.group(1));
        }
        return types;
    }
}
