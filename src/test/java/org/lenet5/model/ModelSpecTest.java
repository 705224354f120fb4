package org.lenet5.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelSpecTest {

    @Test
    void mnistImagesGiveTheDenseInputsOfBothArchitectures() {
        assertEquals(16 * 4 * 4, ModelSpec.flux().flatSize());
        assertEquals(16 * 5 * 5, ModelSpec.classic().flatSize());
        assertEquals(32, ModelSpec.classic().inputHeight());
    }

    @Test
    void theSmallestInputLeavesOnePixelAfterTheSecondPooling() {
        // 16 -> conv 12 -> pool 6 -> conv 2 -> pool 1.
        ModelSpec s = new ModelSpec(Architecture.FLUX, ModelSpec.MIN_SIDE, ModelSpec.MIN_SIDE);
        assertEquals(16, ModelSpec.MIN_SIDE);
        assertEquals(1, s.pool2H());
        assertEquals(1, s.pool2W());
        assertEquals(16, s.flatSize());
    }

    @Test
    void inputsThatTheSecondPoolingWouldReduceToNothingAreRefused() {
        // 15 -> conv 11 -> pool 5 -> conv 1 -> pool 0: no feature would reach the dense layers.
        for (int[] hw : new int[][]{{15, 28}, {28, 15}, {14, 14}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ModelSpec(Architecture.FLUX, hw[0], hw[1]));
            assertEquals("input " + hw[0] + "x" + hw[1] + " is outside the sizes LeNet-5 can take (16 to 4096 pixels a side)",
                    e.getMessage());
        }
    }

    @Test
    void imagesArePaddedAsTheArchitectureAsks() {
        assertEquals(new ModelSpec(Architecture.CLASSIC, 16, 20), ModelSpec.forImages(Architecture.CLASSIC, 12, 16));
        assertEquals(new ModelSpec(Architecture.FLUX, 28, 20), ModelSpec.forImages(Architecture.FLUX, 28, 20));
    }
}
