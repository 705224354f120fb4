package org.lenet5.backend.cuda;

import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;

import java.util.Arrays;

/**
 * The per-image (C, H, W) shape of every layer output, as the cuDNN descriptors and device buffers use them
 * (dense layers as (F, 1, 1)). Multiplied out, each equals {@link ModelSpec#outputSize}; a test checks that.
 */
public final class LayerShapes {

    private LayerShapes() {}

    /** (C, H, W) of one image's output of the layer. */
    public static int[] chw(ModelSpec spec, LayerOutput which) {
        return switch (which) {
            case INPUT -> new int[]{1, spec.inputHeight(), spec.inputWidth()};
            case CONV1, ACT1 -> new int[]{ModelSpec.C1, spec.conv1H(), spec.conv1W()};
            case POOL1 -> new int[]{ModelSpec.C1, spec.pool1H(), spec.pool1W()};
            case CONV2, ACT2 -> new int[]{ModelSpec.C2, spec.conv2H(), spec.conv2W()};
            case POOL2 -> new int[]{ModelSpec.C2, spec.pool2H(), spec.pool2W()};
            case FC1, ACT3 -> new int[]{ModelSpec.F1, 1, 1};
            case FC2, ACT4 -> new int[]{ModelSpec.F2, 1, 1};
            case LOGITS, PROBABILITIES -> new int[]{ModelSpec.CLASSES, 1, 1};
        };
    }

    /** "(512, 6, 24, 24)" for a batch of n; dense layers as "(512, 120)". */
    public static String describe(ModelSpec spec, LayerOutput which, int n) {
        int[] s = chw(spec, which);
        if (s[1] == 1 && s[2] == 1) return "(" + n + ", " + s[0] + ")";
        return "(" + n + ", " + s[0] + ", " + s[1] + ", " + s[2] + ")";
    }

    public static int perImage(ModelSpec spec, LayerOutput which) {
        return Arrays.stream(chw(spec, which)).reduce(1, (a, b) -> a * b);
    }
}
