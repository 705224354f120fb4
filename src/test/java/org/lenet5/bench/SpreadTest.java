package org.lenet5.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpreadTest {

    @Test
    void oddCountHasTheMiddleValueAsMedianAndInterpolatedQuartiles() {
        Spread s = Spread.of(5, 1, 3);
        assertEquals(3, s.median());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(2, s.q1());
        assertEquals(4, s.q3());
        assertArrayEquals(new double[]{5, 1, 3}, s.samples(), "samples stay in the order they were taken");
    }

    @Test
    void evenCountInterpolatesLikeNumpysDefault() {
        Spread s = Spread.of(4, 1, 3, 2);
        assertEquals(2.5, s.median());
        assertEquals(1.75, s.q1());   // numpy.percentile([1, 2, 3, 4], 25)
        assertEquals(3.25, s.q3());
    }

    @Test
    void reciprocalTurnsSecondsIntoRatesWithTheirOwnOrder() {
        Spread rates = Spread.of(2, 4, 8).reciprocal(8);   // seconds for 8 images
        assertArrayEquals(new double[]{4, 2, 1}, rates.samples());
        assertEquals(2, rates.median());
        assertEquals(1, rates.min());
        assertEquals(4, rates.max());
    }

    @Test
    void noSamplesIsRefused() {
        assertThrows(IllegalArgumentException.class, Spread::of);
    }
}
