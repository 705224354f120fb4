package org.lenet5.cli;

import org.lenet5.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @Test
    void noCommandIsAUsageErrorWithTheUsageOnStderr() {
        CliRun r = CliRun.of();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("Usage: lenet5"), r.err());
        assertEquals("", r.out());
        CliRun data = CliRun.of("data");
        assertEquals(2, data.exitCode());
        assertTrue(data.err().startsWith("Usage: lenet5 data"), data.err());
    }

    @Test
    void helpAndVersionSucceed() {
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.exitCode());
        for (String cmd : new String[]{"train", "evaluate", "predict", "sweep", "data", "info", "bench"})
            assertTrue(help.out().contains("  " + cmd + " "), cmd + " missing from\n" + help.out());
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("lenet5 "), version.out());
    }

    @Test
    void moreThreadsThanCoresAndALimitBeyondTheDataGetANotice(@TempDir Path tmp) {
        int cores = Runtime.getRuntime().availableProcessors();
        CliRun r = CliRun.of("train", "--backend", "cpu", "--data-dir", TestData.dataDir().toString(), "--out",
                tmp.resolve("run").toString(), "--threads", Integer.toString(cores + 1), "--epochs", "1",
                "--validation", "59990", "--limit", "100");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("notice: --threads " + (cores + 1) + " is more than the " + cores + " cores here"), r.err());
        assertTrue(r.err().contains("notice: --limit 100 is more than the 10 training images left after the validation split"),
                r.err());
    }
}
