package org.lenet5.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.util.UserException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistLoaderTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);

    private static int[] labelCounts(Dataset d) {
        int[] counts = new int[10];
        for (int i = 0; i < d.count(); i++) counts[d.label(i)]++;
        return counts;
    }

    @Test
    void realMnistLoadsWithItsCountsFirstLabelsAndClassSizes() {
        TrainTestData data = MnistLoader.load(DatasetKind.MNIST, TestData.dataDir(), false, log);
        Dataset train = data.train(), test = data.test();
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(28, train.rows());
        assertEquals(28, test.cols());
        assertArrayEquals(new int[] {5, 0, 4, 1}, new int[] {train.label(0), train.label(1), train.label(2), train.label(3)});
        assertArrayEquals(new int[] {7, 2, 1, 0}, new int[] {test.label(0), test.label(1), test.label(2), test.label(3)});
        // The class sizes published with MNIST (LeCun et al.).
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, labelCounts(train));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, labelCounts(test));
        assertTrue(logBytes.toString().contains("60000 training and 10000 test images of 28x28"), logBytes.toString());
    }

    @Test
    void missingFilesAreFetchedFirstWhenAskedTo() {
        DatasetFetcher fromLocal = new DatasetFetcher(Sha256Table.packaged(),
                List.of(new LocalDirectorySource(TestData.mnistDir())), log);
        TrainTestData data = MnistLoader.load(DatasetKind.MNIST, tmp, fromLocal, HashCheck.VERIFY, log);
        assertEquals(60000, data.train().count());
        for (String f : DatasetKind.MNIST.fileNames()) assertTrue(Files.isRegularFile(tmp.resolve("mnist").resolve(f)));
    }

    @Test
    void missingFilesWithoutFetchingAreAnErrorSayingWhatToRun() {
        UserException e = assertThrows(UserException.class,
                () -> MnistLoader.load(DatasetKind.FASHION_MNIST, tmp, false, log));
        assertEquals(tmp.resolve("fashion-mnist") + ": the fashion-mnist files are missing; run `lenet5 data fetch"
                + " --dataset fashion-mnist --data-dir " + tmp + "`", e.getMessage());
    }

    @Test
    void fileWithTheWrongHashIsAnErrorNamingItUnlessTheCheckIsSkipped() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        for (String f : DatasetKind.MNIST.fileNames()) Files.copy(TestData.mnistDir().resolve(f), dir.resolve(f));
        Path testLabels = dir.resolve(DatasetKind.TEST_LABELS);
        try (RandomAccessFile f = new RandomAccessFile(testLabels.toFile(), "rw")) {
            f.seek(8); // the first test label, 7, becomes 1: still a valid IDX file, but not MNIST's
            f.write(1);
        }
        UserException e = assertThrows(UserException.class, () -> MnistLoader.load(DatasetKind.MNIST, tmp, false, log));
        assertTrue(e.getMessage().startsWith(testLabels + ": sha256 "), e.getMessage());
        assertTrue(e.getMessage().contains("run `lenet5 data fetch --dataset mnist --data-dir " + tmp + "`"), e.getMessage());
        assertTrue(e.getMessage().contains("--no-verify"), e.getMessage());

        TrainTestData custom = MnistLoader.load(DatasetKind.MNIST, tmp, null, HashCheck.SKIP, log);
        assertEquals(1, custom.test().label(0));
        assertTrue(logBytes.toString().contains("(sha256 not checked)"));
    }

    @Test
    void theTestSetAloneIsCheckedAndReadWithoutTheTrainingFiles() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        for (String f : List.of(DatasetKind.TEST_IMAGES, DatasetKind.TEST_LABELS))
            Files.copy(TestData.mnistDir().resolve(f), dir.resolve(f));
        Files.writeString(dir.resolve(DatasetKind.TRAIN_IMAGES), "not even IDX");   // evaluate never reads it
        Dataset test = MnistLoader.loadTestSet(DatasetKind.MNIST, tmp, false, HashCheck.VERIFY, log);
        assertEquals(10000, test.count());
        assertEquals(7, test.label(0));

        Path labels = dir.resolve(DatasetKind.TEST_LABELS);
        try (RandomAccessFile f = new RandomAccessFile(labels.toFile(), "rw")) {
            f.seek(8);
            f.write(1);
        }
        UserException e = assertThrows(UserException.class,
                () -> MnistLoader.loadTestSet(DatasetKind.MNIST, tmp, false, HashCheck.VERIFY, log));
        assertTrue(e.getMessage().startsWith(labels + ": sha256 "), e.getMessage());
        assertEquals(1, MnistLoader.loadTestSet(DatasetKind.MNIST, tmp, false, HashCheck.SKIP, log).label(0));
    }

    private Path writeSmallDataset(int trainImages, int trainLabels, int testSide) {
        Path dir = tmp.resolve("mnist");
        IdxBytes.write(dir.resolve(DatasetKind.TRAIN_IMAGES), IdxBytes.images(trainImages, 4, 4,
                IdxBytes.pattern(trainImages * 16)));
        IdxBytes.write(dir.resolve(DatasetKind.TRAIN_LABELS), IdxBytes.labels(new byte[trainLabels]));
        IdxBytes.write(dir.resolve(DatasetKind.TEST_IMAGES), IdxBytes.images(2, testSide, testSide,
                IdxBytes.pattern(2 * testSide * testSide)));
        IdxBytes.write(dir.resolve(DatasetKind.TEST_LABELS), IdxBytes.labels((byte) 3, (byte) 9));
        return dir;
    }

    @Test
    void customIdxDataLoadsWithoutTheHashCheck() {
        writeSmallDataset(3, 3, 4);
        TrainTestData d = MnistLoader.load(DatasetKind.MNIST, tmp, null, HashCheck.SKIP, log);
        assertEquals(3, d.train().count());
        assertEquals(9, d.test().label(1));
        assertArrayEquals(IdxBytes.pattern(48), d.train().pixels());
    }

    @Test
    void imagesAndLabelsWithDifferentCountsAreRejected() {
        Path dir = writeSmallDataset(3, 2, 4);
        UserException e = assertThrows(UserException.class,
                () -> MnistLoader.load(DatasetKind.MNIST, tmp, null, HashCheck.SKIP, log));
        assertEquals(dir.resolve(DatasetKind.TRAIN_LABELS) + " holds 2 labels but " + dir.resolve(DatasetKind.TRAIN_IMAGES)
                + " holds 3 images", e.getMessage());
    }

    @Test
    void trainingAndTestImagesOfDifferentSizesAreRejected() {
        Path dir = writeSmallDataset(3, 3, 5);
        UserException e = assertThrows(UserException.class,
                () -> MnistLoader.load(DatasetKind.MNIST, tmp, null, HashCheck.SKIP, log));
        assertEquals(dir + ": training images are 4x4 but test images are 5x5", e.getMessage());
    }
}
