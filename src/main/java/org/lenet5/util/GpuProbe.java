package org.lenet5.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out which GPU the machine has, for reports. The one seam through which reports get GPU facts: the CUDA
 * backend's own probe (driver, runtime, cuDNN and cuBLAS versions as JCuda sees them) plugs in here.
 * {@link #nvidiaSmi()} is the probe that needs no CUDA libraries: it asks nvidia-smi, and so knows the GPU, its
 * memory, the driver and the CUDA version the driver supports, but not cuDNN or cuBLAS.
 */
@FunctionalInterface
public interface GpuProbe {

    GpuDescription describe();

    String NOT_PROBED = "not probed (nvidia-smi tells only the driver's side)";

    /** Asks `nvidia-smi` (first GPU); "none" with the reason when there is no NVIDIA driver or no GPU. */
    static GpuProbe nvidiaSmi() {
        return () -> {
            boolean driverLoaded = Files.exists(Path.of("/proc/driver/nvidia/version"));
            String query;
            try {
                query = run(List.of("nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                        "--format=csv,noheader,nounits"));
            } catch (IOException e) {
                return GpuDescription.none(driverLoaded ? "an NVIDIA driver is loaded but nvidia-smi did not answer: "
                        + e.getMessage() : "no NVIDIA driver (nvidia-smi not found, /proc/driver/nvidia absent)");
            }
            String header;
            try {
                header = run(List.of("nvidia-smi"));
            } catch (IOException e) {
                header = "";
            }
            return parseNvidiaSmi(query, header);
        };
    }

    /**
     * @param query  output of --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits
     * @param header output of plain nvidia-smi (for "CUDA Version: 12.8"), may be empty
     */
    static GpuDescription parseNvidiaSmi(String query, String header) {
        String first = query.strip().lines().findFirst().orElse("");
        String[] f = first.split(",");
        if (f.length < 3 || f[0].isBlank()) return GpuDescription.none("nvidia-smi lists no GPU");
        String memory;
        try {
            memory = String.format(Locale.ROOT, "%.1f GiB", Double.parseDouble(f[1].trim()) / 1024.0);  // MiB
        } catch (NumberFormatException e) {
            memory = f[1].trim();
        }
        Matcher m = Pattern.compile("CUDA Version:\\s*([0-9.]+)").matcher(header);
        String cuda = m.find() ? m.group(1) + " (the driver's; runtime not probed)" : "unknown";
        int gpus = (int) query.strip().lines().count();
        String name = f[0].trim() + (gpus > 1 ? " (first of " + gpus + ")" : "");
        return new GpuDescription(name, memory, f[2].trim(), cuda, NOT_PROBED, NOT_PROBED, "nvidia-smi");
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in 20 s");
            }
            if (p.exitValue() != 0)
                throw new IOException(command.get(0) + " exited with " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8).strip().lines().findFirst().orElse(""));
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
