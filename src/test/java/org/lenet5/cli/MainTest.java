package org.lenet5.cli;

import org.lenet5.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A command that runs out of memory, as the cpu backend does when images are too large for the heap. */
    @Command(name = "oom")
    static final class OutOfMemoryCommand implements Callable<Integer> {
        @Override public Integer call() { throw new OutOfMemoryError("Java heap space"); }
    }

    /** Runs Main's command line with the oom command added; the exit code and stderr. */
    private static CliRun runWithOom(String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new OutOfMemoryCommand());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new CliRun(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void outOfMemoryIsOneErrorLineWithExitCodeOneAndATraceOnlyWithDebug() {
        // picocli hands only Exceptions to the failure handler; an Error used to escape with its stack trace.
        CliRun r = runWithOom("oom");
        assertEquals(1, r.exitCode());
        assertEquals("error: out of memory (Java heap space); try a smaller --batch-size or more heap (JAVA_OPTS=-Xmx8g)\n",
                r.err());
        CliRun debug = runWithOom("--debug", "oom");
        assertEquals(1, debug.exitCode());
        assertTrue(debug.err().startsWith("java.lang.OutOfMemoryError: Java heap space"), debug.err());
        assertTrue(debug.err().contains("\tat org.lenet5.cli.MainTest$OutOfMemoryCommand.call"), debug.err());
        assertTrue(debug.err().endsWith("error: out of memory (Java heap space); try a smaller --batch-size or more heap"
                + " (JAVA_OPTS=-Xmx8g)\n"), debug.err());
    }

    @Test
    void outOfMemoryIsOneLineThatSaysWhatToTryNotAStackTrace(@TempDir Path tmp) throws Exception {
        // The reference backend's buffers for batches of 50,000 images need gigabytes; a 200 MiB heap holds MNIST
        // (55 MB) but not them. A child JVM, since this one's heap is large.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(TrainProcessTest.Child.moduleOptions());
        cmd.addAll(List.of("-Xmx200m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--backend", "reference", "--data-dir", TestData.dataDir().toString(), "--out",
                tmp.resolve("run").toString(), "--batch-size", "50000", "--epochs", "1"));
        Path err = tmp.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a hang guard");
        String stderr = Files.readString(err);
        assertEquals(1, p.exitValue(), stderr);
        assertTrue(stderr.endsWith("\nerror: out of memory (Java heap space); try a smaller --batch-size or more heap"
                + " (JAVA_OPTS=-Xmx8g)\n"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace without --debug: " + stderr);
        assertFalse(Files.exists(tmp.resolve("run")), "the run that never trained leaves no directory");
    }
}
