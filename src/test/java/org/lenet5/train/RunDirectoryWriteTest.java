package org.lenet5.train;

import org.lenet5.util.AtomicFiles;
import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryWriteTest {

    @Test
    void aFailedWriteNamesTheFileAndSaysThePreviousVersionIsKeptOnlyWhenThereIsOne(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Path summary = dir.resolve(RunDirectory.SUMMARY);
        // A directory where the write's temporary file goes makes the write fail (root ignores permissions).
        Path blocker = AtomicFiles.temporaryFileFor(summary);
        try (RunDirectory rd = RunDirectory.createNew(dir, "mnist")) {
            Files.createDirectories(blocker);
            UserException first = assertThrows(UserException.class, () -> rd.writeSummary(Map.of("epochs", 1)));
            assertTrue(first.getMessage().startsWith(summary + ": cannot write ("), first.getMessage());
            assertTrue(first.getMessage().endsWith(")"), "no earlier summary.json, so none is said to be kept: " + first.getMessage());

            Files.delete(blocker);
            rd.writeSummary(Map.of("epochs", 1));
            String written = Files.readString(summary);
            Files.createDirectories(blocker);
            UserException second = assertThrows(UserException.class, () -> rd.writeSummary(Map.of("epochs", 2)));
            assertTrue(second.getMessage().endsWith("; the previous version is kept"), second.getMessage());
            assertEquals(written, Files.readString(summary), "the earlier summary.json is intact");
            Files.delete(blocker);
        }
    }
}
