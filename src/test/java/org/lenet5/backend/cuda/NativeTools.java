package org.lenet5.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The native tools some tests run: nvcc (CUDA 13, for the PTX) and g++ (for the CPU emulation of our kernels). */
final class NativeTools {

    /** Where the project's machines and CI have nvcc; NVCC overrides it. */
    static final Path NVCC = Path.of(System.getenv().getOrDefault("NVCC", "/usr/local/cuda/bin/nvcc"));

    private NativeTools() {}

    /** native-kernels/ of this checkout (tests run from the project root). */
    static Path kernelDir() {
        Path p = Path.of("native-kernels");
        if (!Files.isDirectory(p)) throw new IllegalStateException("tests must run from the project root (no native-kernels/ in "
                + Path.of("").toAbsolutePath() + ")");
        return p;
    }

    static List<Path> cuFiles() throws IOException {
        try (Stream<Path> s = Files.list(kernelDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cu")).sorted().toList();
        }
    }

    static boolean nvccAvailable() { return Files.isExecutable(NVCC); }

    static String nvccMissing() { return "nvcc not found at " + NVCC + " (set NVCC to another path)"; }

    /** g++ on PATH, if any. */
    static Path gxx() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "g++");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Output of a command that must succeed within the timeout; throws with its output otherwise. */
    static String run(List<String> command, Path workDir, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (workDir != null) pb.directory(workDir.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + text);
        return text;
    }
}
