package org.lenet5.sweep;

import org.junit.jupiter.api.Test;
import org.lenet5.train.OptimizerKind;
import org.lenet5.util.UserException;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class SearchSpaceTest {

    static SearchSpace parse(String batch, String lr, String l2, String opt) {
        return SearchSpaceParser.parse(batch, lr, l2, opt, Optional.empty());
    }

    @Test
    void gridIsEveryCombinationInBatchLrL2OptimizerOrder() {
        List<TrialSettings> g = parse("64,32", "1e-3,3e-4", "0", "adam,sgd").grid();
        assertEquals(8, g.size());
        assertEquals(new TrialSettings(64, 1e-3f, 0f, OptimizerKind.ADAM), g.get(0));
        assertEquals(new TrialSettings(64, 1e-3f, 0f, OptimizerKind.SGD), g.get(1));
        assertEquals(new TrialSettings(64, 3e-4f, 0f, OptimizerKind.ADAM), g.get(2));
        assertEquals(new TrialSettings(32, 3e-4f, 0f, OptimizerKind.SGD), g.get(7));
    }

    @Test
    void repeatedValuesCountOnceAndEqualNumbersWrittenDifferentlyAreTheSame() {
        SearchSpace s = parse("32, 32,64", "0.001,1e-3", "0,0.0", "adam,ADAM");
        assertEquals(2, s.grid().size());
    }

    @Test
    void malformedValuesNameTheOptionAndTheValue() {
        assertEquals("--lr: 'abc' is not a number",
                assertThrows(IllegalArgumentException.class, () -> parse("32", "abc", "0", "adam")).getMessage());
        assertEquals("--lr: 0 must be positive",
                assertThrows(IllegalArgumentException.class, () -> parse("32", "0", "0", "adam")).getMessage());
        assertEquals("--l2: -1e-4 must be zero or positive",
                assertThrows(IllegalArgumentException.class, () -> parse("32", "1e-3", "-1e-4", "adam")).getMessage());
        assertEquals("--batch-size: 0 must be between 1 and 65536",
                assertThrows(IllegalArgumentException.class, () -> parse("0", "1e-3", "0", "adam")).getMessage());
        assertEquals("--batch-size: '3.5' is not a whole number",
                assertThrows(IllegalArgumentException.class, () -> parse("3.5", "1e-3", "0", "adam")).getMessage());
        assertEquals("--batch-size: '99999999999' is out of range",
                assertThrows(IllegalArgumentException.class, () -> parse("99999999999", "1e-3", "0", "adam")).getMessage());
        assertEquals("--batch-size '32,,64': an empty value (write comma lists like 32,64)",
                assertThrows(IllegalArgumentException.class, () -> parse("32,,64", "1e-3", "0", "adam")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("32", "1e-3", "0", "adamx"))
                .getMessage().startsWith("--optimizer: unknown optimizer 'adamx'"));
        assertEquals("--l2 0:1e-2: a range MIN:MAX needs 0 < MIN < MAX (0 has no place on a log scale; list it instead, e.g. 0,1e-6,1e-4)",
                assertThrows(IllegalArgumentException.class, () -> parse("32", "1e-3", "0:1e-2", "adam")).getMessage());
    }

    @Test
    void rangesAreOnlyForRandomSearch() {
        SearchSpace s = parse("32", "1e-4:1e-2", "0", "adam");
        UserException e = assertThrows(UserException.class, s::grid);
        assertEquals("--lr 1e-4:1e-2 is a range; ranges need --search random (grid search takes lists: --lr 1e-4,1e-3)",
                e.getMessage());
    }

    @Test
    void bestWithoutAFinishedTrialSaysSo() {
        UserException e = assertThrows(UserException.class, () -> parse("best", "1e-3", "0", "adam"));
        assertTrue(e.getMessage().startsWith("--batch-size best: there is no finished trial in --out yet"), e.getMessage());
    }

    @Test
    void randomSearchIsReproducibleFromItsSeedAndStaysInsideTheRanges() {
        SearchSpace s = parse("16,32,64", "1e-4:1e-2", "1e-6:1e-3", "adam,sgd");
        List<TrialSettings> a = s.sample(50, 7), b = s.sample(50, 7), c = s.sample(50, 8);
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(50, a.stream().map(TrialSettings::id).distinct().count());
        for (TrialSettings t : a) {
            assertTrue(t.lr() >= 1e-4f && t.lr() <= 1e-2f, "lr " + t.lr());
            assertTrue(t.l2() >= 1e-6f && t.l2() <= 1e-3f, "l2 " + t.l2());
            assertTrue(List.of(16, 32, 64).contains(t.batchSize()));
            // Three significant digits: the compact text has at most 3 digits in its mantissa.
            assertTrue(CompactNumbers.of(t.lr()).replaceAll("e.*|\\.", "").length() <= 3, CompactNumbers.of(t.lr()));
        }
    }

    @Test
    void logUniformRangePutsHalfTheDrawsBelowTheGeometricMidpoint() {
        FloatAxis.LogUniform r = new FloatAxis.LogUniform(1e-4f, 1e-2f);
        org.lenet5.util.SeededRandom random = new org.lenet5.util.SeededRandom(3);
        int below = 0, n = 4000;
        for (int i = 0; i < n; i++) if (r.sample(random) < 1e-3f) below++;
        // Binomial(4000, 0.5) has sd 32 draws; 0.5 +- 0.04 is five of them (uniform in value would give ~0.09).
        assertEquals(0.5, below / (double) n, 0.04);
    }

    @Test
    void randomSearchOverASmallGridTakesTheWholeGrid() {
        SearchSpace s = parse("32,64", "1e-3,3e-3", "0", "adam");
        assertEquals(s.grid(), s.sample(10, 1));
        assertEquals(3, s.sample(3, 1).size());
    }

    @Test
    void idsAndLabelsWriteValuesAsOnTheCommandLine() {
        assertEquals("1e-3", CompactNumbers.of(0.001f));
        assertEquals("3e-4", CompactNumbers.of(3e-4f));
        assertEquals("2.5e-4", CompactNumbers.of(2.5e-4f));
        assertEquals("0", CompactNumbers.of(0f));
        assertEquals("0.5", CompactNumbers.of(0.5f));
        assertEquals("64", CompactNumbers.of(64f));
        assertEquals("1e6", CompactNumbers.of(1e6f));
        assertEquals("1e-2", CompactNumbers.of(0.01f));
        assertEquals(1.23e-3f, CompactNumbers.threeDigits(0.00123456));
        Trial t = new Trial(new TrialSettings(64, 1e-3f, 0f, OptimizerKind.ADAM), 2);
        assertEquals("batch64_lr1e-3_l2-0_adam_seed2", t.id());
        assertEquals("batch 64 lr 1e-3 l2 0 adam seed 2", t.label());
        assertEquals("lr 1e-3 l2 0 adam", t.settings().labelWithout(Hyperparameter.BATCH_SIZE));
        assertEquals("batch 64 lr 1e-3 l2 0", t.settings().labelWithout(Hyperparameter.OPTIMIZER));
    }
}
