package org.lenet5.train;

import org.lenet5.data.Dataset;
import org.lenet5.util.UserException;

/**
 * The images a run trains, validates and tests on.
 * Validation is the LAST {@code validation} images of the training file: fixed for every seed and every
 * --limit, so trials of a sweep are compared on the same images, and the test set is never used to choose.
 * Training uses the first {@code limit} of the remaining images (all of them when limit is 0).
 *
 * @param validation empty (count 0) when no validation split is asked for
 */
public record DataSplits(Dataset train, Dataset validation, Dataset test) {

    public static DataSplits of(Dataset trainFile, Dataset testFile, int validation, int limit) {
        if (validation >= trainFile.count())
            throw new UserException("--validation " + validation + " leaves no training images (the training file holds "
                    + trainFile.count() + ")");
        int pool = trainFile.count() - validation;
        int n = limit == 0 ? pool : Math.min(limit, pool);
        Dataset train = trainFile.slice(trainFile.name() + "[0:" + n + "]", 0, n);
        Dataset val = trainFile.slice(trainFile.name() + "[" + pool + ":]", pool, validation);
        return new DataSplits(train, val, testFile);
    }
}
