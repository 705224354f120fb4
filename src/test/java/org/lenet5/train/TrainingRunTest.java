package org.lenet5.train;

import org.lenet5.data.Dataset;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingRunTest {

    static DataSplits images(int train) {
        Dataset file = new Dataset("random", new byte[(train + 10) * 28 * 28], new byte[train + 10], train + 10, 28, 28);
        return DataSplits.of(file, file.slice("random/test", 0, 10), 10, 0);
    }

    @Test
    void theBackendIsBuiltForNoLargerATrainingBatchThanTheTrainingSetHolds() {
        // --batch-size 65536 on 2,000 images: every batch holds at most 2,000, so buffers for 65,536 would be waste.
        assertEquals(2000, TrainingRun.maxBatch(TrainerTest.config(1, 65536, LrSchedule.CONSTANT, 1e-3f), images(2000)));
        assertEquals(600, TrainingRun.maxBatch(TrainerTest.config(1, 600, LrSchedule.CONSTANT, 1e-3f), images(2000)));
        // Evaluation takes EVAL_BATCH images at a time, whatever the training batch.
        assertEquals(TrainingRun.EVAL_BATCH, TrainingRun.maxBatch(TrainerTest.config(1, 4, LrSchedule.CONSTANT, 1e-3f), images(2000)));
        assertEquals(TrainingRun.EVAL_BATCH, TrainingRun.maxBatch(TrainerTest.config(1, 65536, LrSchedule.CONSTANT, 1e-3f), images(100)));
    }
}
