package org.lenet5.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** lenet5 sweep from the command line: usage errors before anything runs, and one tiny real sweep. */
class SweepCommandTest {

    @TempDir Path tmp;

    private CliRun sweep(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "sweep";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRun.of(all);
    }

    @Test
    void usageErrorsExitWithTwoAndNameTheProblem() {
        CliRun r = sweep("--search", "random", "--out", tmp.resolve("a").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --search random needs --trials N"), r.err());

        r = sweep("--search", "random", "--trials", "0", "--out", tmp.resolve("a").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --trials must be at least 1 (got 0)"), r.err());

        r = sweep("--lr", "1e-4:1e-2", "--out", tmp.resolve("b").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --lr 1e-4:1e-2 is a range; ranges need --search random"), r.err());

        r = sweep("--batch-size", "32,x", "--out", tmp.resolve("c").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --batch-size: 'x' is not a whole number"), r.err());

        r = sweep("--validation", "0", "--out", tmp.resolve("d").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --validation must be at least 1: a sweep chooses by validation accuracy"), r.err());

        r = sweep("--search", "grid", "--trials", "3", "--out", tmp.resolve("e").toString());
        assertEquals(2, r.exitCode());
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")), "nothing is written on a usage error");
    }

    @Test
    void aDirectoryThatHoldsNoSweepIsRefusedAndLeftAsItWas() throws Exception {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.md"), "my notes\n");
        CliRun r = sweep("--backend", "reference", "--batch-size", "50", "--lr", "1e-2", "--epochs", "1", "--limit", "100",
                "--validation", "100", "--data-dir", TestData.dataDir().toString(), "--out", out.toString());
        assertEquals(1, r.exitCode(), r.out());
        assertEquals("error: " + out + " is not empty (report.md) and holds no sweep (no sweep.json); a sweep would"
                + " overwrite its files: choose a new or empty --out", r.err().strip());
        assertEquals("my notes\n", Files.readString(out.resolve("report.md")));
        try (var entries = Files.list(out)) {
            assertEquals(List.of("report.md"), entries.map(e -> e.getFileName().toString()).toList());
        }
    }

    @Test
    void anEmptyOutIsAUsageErrorAndMoreTrialsAtOnceThanCoresGetANotice() {
        CliRun r = sweep("--out", "");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("error: --out needs a directory name"), r.err());
        int cores = Runtime.getRuntime().availableProcessors();
        r = sweep("--parallel", Integer.toString(cores + 1), "--batch-size", "32,x", "--out", tmp.resolve("p").toString());
        assertTrue(r.err().startsWith("notice: --parallel " + (cores + 1) + " is more than the " + cores + " cores here"), r.err());
    }

    @Test
    void sweepCommandRunsTrialsPrintsProgressAndWritesResults() throws Exception {
        Path out = tmp.resolve("sweep");
        // One trial diverges at once (no evaluation); the other trains 300 images and evaluates 200 + 10,000.
        CliRun r = sweep("--backend", "reference", "--batch-size", "50", "--lr", "1e6,1e-2", "--l2", "0", "--optimizer", "sgd",
                "--epochs", "1", "--limit", "300", "--validation", "200", "--lr-schedule", "constant",
                "--data-dir", TestData.dataDir().toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("sweep: 2 trials (2 configurations x 1 seed) on reference, 1 at a time"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[[12]/2] batch 50 lr 1e6 l2 0 sgd seed 1: diverged at epoch 1, step \\d+ \\(\\d+ s\\); .*")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[[12]/2] batch 50 lr 1e-2 l2 0 sgd seed 1: val \\d+\\.\\d\\d% test \\d+\\.\\d\\d% \\(\\d+ s\\); .*")), r.out());
        assertTrue(r.out().contains("best (mean validation accuracy over 1 seed): batch 50 lr 1e-2 l2 0 sgd: val "), r.out());
        for (String f : List.of("results.csv", "report.md", "report.html", "sweep.json", "charts/validation_vs_lr.png"))
            assertTrue(Files.exists(out.resolve(f)), f);
        assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size(), "header and two trials");
    }
}
