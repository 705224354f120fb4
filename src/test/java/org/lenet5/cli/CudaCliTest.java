package org.lenet5.cli;

import org.lenet5.TestData;
import org.lenet5.backend.cuda.CudaProbe;
import org.lenet5.backend.cuda.CudaStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** lenet5 train --backend cuda through the command line: one clear error line without a GPU, a run with one. */
class CudaCliTest {

    private static String[] train(Path out) {
        return new String[]{"train", "--backend", "cuda", "--data-dir", TestData.dataDir().toString(), "--epochs", "1",
                "--limit", "512", "--validation", "0", "--out", out.toString()};
    }

    @Test
    void backendCudaWithoutAGpuFailsWithOneLineNamingWhatIsMissing(@TempDir Path tmp) {
        CudaStatus s = CudaProbe.probe();
        assumeFalse(s.usable(), "this machine has a usable GPU stack; trainOnTheGpu covers it");
        CliRun r = CliRun.of(train(tmp.resolve("run")));
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("error: CUDA backend unavailable: " + s.reason()
                + "; use --backend cpu, or run the Docker image (docker run --gpus all ..., see README)" + System.lineSeparator(), r.err());
        if (s.deviceProblem() != null && s.deviceProblem().contains("libcuda.so.1")) assertTrue(r.err().contains("libcuda.so.1"));
    }

    @Test
    @Tag("gpu")
    void trainOnTheGpu(@TempDir Path tmp) {
        CudaStatus s = CudaProbe.probe();
        assumeTrue(s.usable(), () -> "the CUDA backend cannot run here: " + s.reason());
        CliRun r = CliRun.of(train(tmp.resolve("run")));
        assertEquals(0, r.exitCode(), r.err());
    }
}
