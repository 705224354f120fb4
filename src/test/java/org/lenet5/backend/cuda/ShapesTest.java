package org.lenet5.backend.cuda;

import org.lenet5.model.Architecture;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** cuDNN's shape formulas against ModelSpec, and the per-layer (C, H, W) the descriptors and buffers use. */
class ShapesTest {

    @Test
    void cudnnShapeArithmeticMatchesTheModelForEveryInputSize() {
        for (Architecture arch : Architecture.values())
            for (int rows = 14; rows <= 64; rows++)
                for (int cols = 14; cols <= 64; cols += 7) {
                    ModelSpec spec;
                    try {
                        spec = ModelSpec.forImages(arch, rows, cols);
                    } catch (IllegalArgumentException tooSmall) {
                        continue;
                    }
                    if (spec.pool2H() < 1 || spec.pool2W() < 1) continue;
                    CudnnShapes.requireMatches(spec);
                }
    }

    @Test
    void lenetShapesAreTheTextbookOnes() {
        assertEquals(24, CudnnShapes.lenetConvolution(28));
        assertEquals(12, CudnnShapes.lenetPooling(24));
        assertEquals(4, CudnnShapes.lenetPooling(9), "an odd trailing row is dropped");
        assertEquals(28, CudnnShapes.lenetConvolution(32));
    }

    @Test
    void formulasFollowPaddingStrideAndDilationAsCudnnDocumentsThem() {
        assertEquals(26, CudnnShapes.convolutionOutput(28, 5, 1, 1, 1));
        assertEquals(12, CudnnShapes.convolutionOutput(28, 5, 0, 2, 1));
        assertEquals(20, CudnnShapes.convolutionOutput(28, 5, 0, 1, 2));
        assertEquals(27, CudnnShapes.poolingOutput(28, 2, 0, 1));
        assertEquals(15, CudnnShapes.poolingOutput(28, 2, 1, 2));
    }

    @Test
    void layerShapesMultiplyToTheModelsOutputSizes() {
        for (ModelSpec spec : new ModelSpec[]{ModelSpec.flux(), ModelSpec.classic(),
                ModelSpec.forImages(Architecture.FLUX, 28, 36), ModelSpec.forImages(Architecture.CLASSIC, 30, 22)})
            for (LayerOutput l : LayerOutput.values())
                assertEquals(spec.outputSize(l), LayerShapes.perImage(spec, l), spec + " " + l);
    }

    @Test
    void nonSquareInputsKeepHeightAndWidthApart() {
        ModelSpec spec = ModelSpec.forImages(Architecture.FLUX, 28, 36);
        assertArrayEquals(new int[]{1, 28, 36}, LayerShapes.chw(spec, LayerOutput.INPUT));
        assertArrayEquals(new int[]{6, 24, 32}, LayerShapes.chw(spec, LayerOutput.CONV1));
        assertArrayEquals(new int[]{6, 12, 16}, LayerShapes.chw(spec, LayerOutput.POOL1));
        assertArrayEquals(new int[]{16, 8, 12}, LayerShapes.chw(spec, LayerOutput.CONV2));
        assertArrayEquals(new int[]{16, 4, 6}, LayerShapes.chw(spec, LayerOutput.POOL2));
        assertEquals(384, spec.flatSize());
        assertEquals("(32, 16, 4, 6)", LayerShapes.describe(spec, LayerOutput.POOL2, 32));
        assertEquals("(32, 120)", LayerShapes.describe(spec, LayerOutput.FC1, 32));
    }
}
