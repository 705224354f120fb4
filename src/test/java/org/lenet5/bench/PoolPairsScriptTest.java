package org.lenet5.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** bench/pool-pairs.py, the script docs/benchmarks.md quotes its pooled figures from, on two small made-up tables. */
class PoolPairsScriptTest {

    private static final String HEADER = "batch\tthreads\tpair\tlenet5_epoch_s\ttorch_epoch_s\ttrain_ratio"
            + "\tlenet5_inference_s\ttorch_inference_s\tinference_ratio\tload1_before\tload1_after\n";

    private record Run(int exit, String out) {}

    private static Run pool(String... dirs) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3", "bench/pool-pairs.py"));
        command.addAll(List.of(dirs));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pool-pairs.py did not finish");
        return new Run(p.exitValue(), out);
    }

    private static Path table(Path root, String name, String rows) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        Files.writeString(d.resolve("pairs.tsv"), HEADER + rows);
        return d;
    }

    @Test
    void poolsThePairsOfSeveralTablesMatchingPairsWithinEachTable() throws Exception {
        Path root = Files.createTempDirectory("pool-pairs");
        // table a: pair 1 2.0/1.0 = 2.00x, pair 2 2.4/1.6 = 1.50x; table b: its pair 1 is 3.0/1.5 = 2.00x (matching
        // it with table a's pair 1 instead would give other ratios), pair 2 2.2/1.375 = 1.60x
        Path a = table(root, "a", "32\t1\t1\t2.000\t8.0\t4.00\t0.2\t1.0\t5.0\t1\t1\n"
                + "32\t2\t1\t1.000\t8.0\t8.00\t0.1\t1.0\t10.0\t1\t1\n"
                + "32\t2\t2\t1.600\t8.0\t5.00\t0.1\t1.0\t10.0\t1\t1\n"
                + "32\t1\t2\t2.400\t8.0\t3.33\t0.2\t1.0\t5.0\t1\t1\n");
        Path b = table(root, "b", "32\t1\t1\t3.000\t9.0\t3.00\t0.2\t1.0\t5.0\t1\t1\n"
                + "32\t2\t1\t1.500\t9.0\t6.00\t0.1\t1.0\t10.0\t1\t1\n"
                + "32\t1\t2\t2.200\t9.0\t4.09\t0.2\t1.0\t5.0\t1\t1\n"
                + "32\t2\t2\t1.375\t9.0\t6.55\t0.1\t1.0\t10.0\t1\t1\n");
        Run r = pool(a.toString(), b.toString());
        assertEquals(0, r.exit(), r.out());
        // ratios 1.50, 1.60, 2.00, 2.00: median 1.80, 2 of 4 at 1.7x; median epochs 2.3 s and 1.4375 s: 1.60x
        assertTrue(r.out().contains("batch 32: 2 threads against 1 over 4 pairs: median 1.80x (range 1.50-2.00, 2 of 4"
                + " at 1.7x or more); ratio of the median epoch seconds 1.60x"), r.out());
        assertTrue(r.out().contains("batch 32, 2 thread(s): 4 pairs, lenet5 epoch 1.44 s, PyTorch 8.50 s, train ratio"
                + " 6.28x, inference ratio 10.00x"), r.out());
    }

    @Test
    void aDirectoryWithoutPairsIsNamed() throws Exception {
        Path missing = Files.createTempDirectory("pool-pairs").resolve("no-table");
        Run r = pool(missing.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("error: " + missing.resolve("pairs.tsv") + ": no such file"), r.out());
    }
}
