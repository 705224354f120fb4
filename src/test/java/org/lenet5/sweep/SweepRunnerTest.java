package org.lenet5.sweep;

import org.junit.jupiter.api.Test;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.OptimizerKind;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The line printed as each trial ends: which trial of how many, its settings, its result, the time left. */
class SweepRunnerTest {

    static final Trial TRIAL = new Trial(new TrialSettings(64, 1e-3f, 0f, OptimizerKind.ADAM), 2);

    @Test
    void progressLineNamesTheTrialItsResultAndTheTimeLeft() {
        TrialResult ok = TrialResult.finished(TRIAL, List.of(new EpochMetrics(1, 0.05, 0.98, 0.9891, 0.04, 0.9887, 40, 1375)),
                55000, 41.2, 1, "cpu");
        // 369 s left rounds to 6 min: the example of docs/sweep.md.
        assertEquals("[3/12] batch 64 lr 1e-3 l2 0 adam seed 2: val 98.91% test 98.87% (41 s); about 6 min left",
                SweepRunner.progressLine(3, 12, ok, 369));
        assertEquals("[12/12] batch 64 lr 1e-3 l2 0 adam seed 2: val 98.91% test 98.87% (41 s); sweep done",
                SweepRunner.progressLine(12, 12, ok, 0));

        TrialResult diverged = TrialResult.stopped(TRIAL, TrialStatus.DIVERGED, List.of(), 55000, 1.4, 1, "cpu", 1, 7,
                "diverged at epoch 1, step 7 (lr=1000, batch-size=64): the training loss is NaN");
        assertEquals("[4/12] batch 64 lr 1e-3 l2 0 adam seed 2: diverged at epoch 1, step 7 (1 s); about 45 s left",
                SweepRunner.progressLine(4, 12, diverged, 45));
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("0 s", SweepRunner.duration(0.2));
        assertEquals("89 s", SweepRunner.duration(89.4));
        assertEquals("2 min", SweepRunner.duration(90));
        assertEquals("89 min", SweepRunner.duration(89 * 60));
        assertEquals("2 h 05 min", SweepRunner.duration(125 * 60));
    }
}
