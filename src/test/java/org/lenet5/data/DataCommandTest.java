package org.lenet5.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.cli.Main;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** `lenet5 data fetch` and `lenet5 data verify` through the real command line: exit codes and files. */
class DataCommandTest {

    @TempDir
    Path tmp;

    @Test
    void verifyFailsOnAnEmptyDirectoryAndFetchFromALocalDirectoryMakesItPass() {
        String dataDir = tmp.toString();
        assertEquals(1, Main.run("data", "verify", "--data-dir", dataDir));
        assertEquals(0, Main.run("data", "fetch", "--dataset", "mnist", "--data-dir", dataDir,
                "--from", TestData.mnistDir().toString()));
        for (String f : DatasetKind.MNIST.fileNames()) assertEquals(true, Files.isRegularFile(tmp.resolve("mnist").resolve(f)));
        assertEquals(0, Main.run("data", "verify", "--data-dir", dataDir));
    }

    @Test
    void aFromDirectoryThatDoesNotExistIsAnErrorNotASkippedSource() {
        assertEquals(1, Main.run("data", "fetch", "--data-dir", tmp.resolve("d").toString(),
                "--from", tmp.resolve("nowhere").toString()));
        assertEquals(false, Files.exists(tmp.resolve("d")), "nothing was fetched from anywhere else");
    }

    @Test
    void anUnknownDatasetIsAUsageError() {
        assertEquals(2, Main.run("data", "fetch", "--dataset", "cifar", "--data-dir", tmp.toString()));
    }
}
