package org.lenet5.data;

import org.lenet5.util.UserException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a dataset's four IDX files from {@code <data-dir>/<dataset id>/}: fetches them first when missing (if asked),
 * checks them against the SHA-256 table (unless told not to), reads them and checks that they fit together.
 */
public final class MnistLoader {

    private MnistLoader() {}

    /** Loads with the SHA-256 check. */
    public static TrainTestData load(DatasetKind kind, Path dataDir, boolean fetchIfMissing, PrintStream log) {
        return load(kind, dataDir, fetchIfMissing, HashCheck.VERIFY, log);
    }

    public static TrainTestData load(DatasetKind kind, Path dataDir, boolean fetchIfMissing, HashCheck hashCheck,
                                     PrintStream log) {
        return load(kind, dataDir, fetchIfMissing ? DatasetFetcher.standard(kind, log) : null, hashCheck, log);
    }

    /** With a given fetcher (null: do not fetch), so tests can fetch from a local source. */
    static TrainTestData load(DatasetKind kind, Path dataDir, DatasetFetcher fetcher, HashCheck hashCheck,
                              PrintStream log) {
        Path dir = DataPaths.datasetDir(dataDir, kind);
        boolean anyMissing = kind.fileNames().stream().anyMatch(f -> !Files.exists(dir.resolve(f)));
        if (anyMissing) {
            if (fetcher == null) throw missing(kind, dataDir, dir);
            log.println(kind.id() + ": files missing in " + dir + ", fetching them");
            fetcher.fetch(kind, dataDir);
        }
        if (hashCheck == HashCheck.VERIFY) verify(kind, dataDir, kind.fileNames());
        Dataset train = read(kind.id() + "/train", dir.resolve(kind.trainImages()), dir.resolve(kind.trainLabels()));
        Dataset test = read(kind.id() + "/test", dir.resolve(kind.testImages()), dir.resolve(kind.testLabels()));
        if (train.rows() != test.rows() || train.cols() != test.cols())
            throw new UserException(dir + ": training images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols());
        log.println(kind.id() + ": " + train.count() + " training and " + test.count() + " test images of "
                + train.rows() + "x" + train.cols() + " from " + dir
                + (hashCheck == HashCheck.VERIFY ? " (sha256 verified)" : " (sha256 not checked)"));
        return new TrainTestData(train, test);
    }

    /**
     * Only the test set (what evaluate needs): fetched when missing (if asked, with the training files, as a
     * dataset comes whole), checked unless told not to, read.
     */
    public static Dataset loadTestSet(DatasetKind kind, Path dataDir, boolean fetchIfMissing, HashCheck hashCheck,
                                      PrintStream log) {
        Path dir = DataPaths.datasetDir(dataDir, kind);
        List<String> files = List.of(kind.testImages(), kind.testLabels());
        if (files.stream().anyMatch(f -> !Files.exists(dir.resolve(f)))) {
            if (!fetchIfMissing) throw missing(kind, dataDir, dir);
            log.println(kind.id() + ": test files missing in " + dir + ", fetching the dataset");
            DatasetFetcher.standard(kind, log).fetch(kind, dataDir);
        }
        if (hashCheck == HashCheck.VERIFY) verify(kind, dataDir, files);
        Dataset test = read(kind.id() + "/test", dir.resolve(kind.testImages()), dir.resolve(kind.testLabels()));
        log.println(kind.id() + ": " + test.count() + " test images of " + test.rows() + "x" + test.cols() + " from " + dir
                + (hashCheck == HashCheck.VERIFY ? " (sha256 verified)" : " (sha256 not checked)"));
        return test;
    }

    private static UserException missing(DatasetKind kind, Path dataDir, Path dir) {
        return new UserException(dir + ": the " + kind.id() + " files are missing; run `lenet5 data fetch"
                + " --dataset " + kind.id() + " --data-dir " + dataDir + "`");
    }

    private static void verify(DatasetKind kind, Path dataDir, List<String> names) {
        Sha256Table table = Sha256Table.packaged();
        for (String name : names) {
            FileCheck c = DataVerifier.check(kind, dataDir, name, table);
            if (c.status() == FileCheck.Status.MISSING) throw new UserException(c.path() + ": missing");
            if (c.status() == FileCheck.Status.WRONG)
                throw new UserException(c.path() + ": sha256 " + c.actual() + " is not the " + c.key()
                        + " of the table (" + c.expected() + "); move it away and run `lenet5 data fetch --dataset "
                        + kind.id() + " --data-dir " + dataDir + "`, or skip the check with --no-verify if it is your own IDX data");
        }
    }

    /** One images file and its labels file as a dataset, the counts checked against each other. */
    static Dataset read(String name, Path imagesFile, Path labelsFile) {
        IdxReader.IdxImages images = IdxReader.readImages(imagesFile);
        IdxReader.IdxLabels labels = IdxReader.readLabels(labelsFile);
        if (images.count() != labels.count())
            throw new UserException(labelsFile + " holds " + labels.count() + " labels but " + imagesFile + " holds "
                    + images.count() + " images");
        return new Dataset(name, images.pixels(), labels.labels(), images.count(), images.rows(), images.cols());
    }
}
