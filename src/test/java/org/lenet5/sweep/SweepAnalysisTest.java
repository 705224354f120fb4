package org.lenet5.sweep;

import org.junit.jupiter.api.Test;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.OptimizerKind;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SweepAnalysisTest {

    static TrialResult ok(int batch, float lr, float l2, long seed, double val, double test) {
        Trial t = new Trial(new TrialSettings(batch, lr, l2, OptimizerKind.ADAM), seed);
        return TrialResult.finished(t, List.of(new EpochMetrics(1, 0.1, 0.97, val, 0.1, test, 10, 5000)), 50000, 11, 1, "cpu");
    }

    static TrialResult diverged(int batch, float lr, float l2, long seed) {
        Trial t = new Trial(new TrialSettings(batch, lr, l2, OptimizerKind.ADAM), seed);
        return TrialResult.stopped(t, TrialStatus.DIVERGED, List.of(), 50000, 1, 1, "cpu", 1, 7, "loss NaN");
    }

    @Test
    void configurationsAreRankedByMeanValidationOverSeedsNeverByTest() {
        List<TrialResult> r = new ArrayList<>();
        r.add(ok(32, 1e-3f, 0, 1, 0.990, 0.980));
        r.add(ok(32, 1e-3f, 0, 2, 0.980, 0.980));   // mean 0.985
        r.add(ok(64, 1e-3f, 0, 1, 0.986, 0.950));
        r.add(ok(64, 1e-3f, 0, 2, 0.986, 0.950));   // mean 0.986: best on validation, worst on test
        r.add(ok(128, 1e-3f, 0, 1, 0.999, 0.999));
        r.add(diverged(128, 1e-3f, 0, 2));          // a diverged seed: not ranked despite 0.999
        SweepAnalysis a = new SweepAnalysis(r);
        assertEquals(64, a.best().orElseThrow().settings().batchSize());
        assertEquals(List.of(64, 32), a.ranked().stream().map(c -> c.settings().batchSize()).toList());
        SweepAnalysis.Config c32 = a.configs().get(1);
        assertEquals(0.985, c32.validation().mean(), 1e-12);
        assertEquals(Math.sqrt(0.00005), c32.validation().sd(), 1e-12);   // (0.005^2 * 2) / (2 - 1)
        assertEquals("1 of 2 diverged", a.configs().get(2).statusText());
    }

    @Test
    void marginalSummarisesEachValueAcrossTheOtherSettings() {
        List<TrialResult> r = List.of(ok(32, 1e-3f, 0, 1, 0.98, 0), ok(32, 3e-3f, 0, 1, 0.96, 0),
                ok(64, 1e-3f, 0, 1, 0.97, 0), diverged(64, 3e-3f, 0, 1));
        List<SweepAnalysis.Marginal> m = new SweepAnalysis(r).marginal(Hyperparameter.BATCH_SIZE);
        assertEquals(2, m.size());
        assertEquals("32", m.get(0).value());
        assertEquals(2, m.get(0).validation().n());
        assertEquals(0.97, m.get(0).validation().mean(), 1e-12);
        assertEquals(0.96, m.get(0).validation().min(), 0);
        assertEquals(0.98, m.get(0).validation().max(), 0);
        assertEquals(0, m.get(0).unranked());
        assertEquals("64", m.get(1).value());
        assertEquals(1, m.get(1).validation().n());
        assertTrue(Double.isNaN(m.get(1).validation().sd()), "one configuration has no spread");
        assertEquals(1, m.get(1).unranked());
        // Numeric order, not text order: 1e-3 before 3e-3, and 0 before 1e-6.
        assertEquals(List.of("1e-3", "3e-3"), new SweepAnalysis(r).marginal(Hyperparameter.LR).stream().map(SweepAnalysis.Marginal::value).toList());
    }

    @Test
    void defaultsAreComparedDirectlyWhenTriedAndOtherwiseWithTheClosestConfiguration() {
        TrialSettings defaults = new TrialSettings(32, 1e-3f, 0, OptimizerKind.ADAM);
        SweepAnalysis tried = new SweepAnalysis(List.of(ok(32, 1e-3f, 0, 1, 0.98, 0), ok(64, 1e-3f, 0, 1, 0.99, 0)));
        SweepAnalysis.DefaultsComparison c = tried.compareWithDefaults(defaults).orElseThrow();
        assertTrue(c.exact());
        assertEquals(defaults, c.reference().settings());

        SweepAnalysis notTried = new SweepAnalysis(List.of(ok(64, 1e-3f, 1e-4f, 1, 0.98, 0), ok(128, 3e-4f, 0, 1, 0.99, 0),
                ok(32, 1e-3f, 1e-6f, 1, 0.97, 0)));
        SweepAnalysis.DefaultsComparison d = notTried.compareWithDefaults(defaults).orElseThrow();
        assertFalse(d.exact());
        // One differing setting (l2) beats two; between equals the log distance decides.
        assertEquals(new TrialSettings(32, 1e-3f, 1e-6f, OptimizerKind.ADAM), d.reference().settings());
        assertEquals(List.of(Hyperparameter.L2), d.differing());
        assertEquals(128, d.best().settings().batchSize());
    }

    @Test
    void trialRecordRoundTripsThroughJson() {
        TrialResult r = ok(32, 3e-4f, 1e-6f, 2, 0.9891, 0.9887);
        String json = org.lenet5.util.Json.toJson(r.toMap());
        TrialResult back = TrialResult.fromJson(com.google.gson.JsonParser.parseString(json).getAsJsonObject());
        assertEquals(r, back);
        TrialResult d = diverged(64, 1e6f, 0, 1);
        TrialResult dBack = TrialResult.fromJson(com.google.gson.JsonParser.parseString(
                org.lenet5.util.Json.toJson(d.toMap())).getAsJsonObject());
        assertEquals(TrialStatus.DIVERGED, dBack.status());
        assertEquals(7, dBack.divergedStep());
        assertTrue(Double.isNaN(dBack.finalValidation()));
    }
}
