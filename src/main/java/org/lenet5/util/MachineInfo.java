package org.lenet5.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CPU side of "what machine ran this": CPU model and cores, memory, Java and the operating system.
 * Linux details come from /proc and /etc/os-release; elsewhere the JVM's own view is used and a field the
 * JVM cannot tell is "unknown". For reports (sweep) and `lenet5 info`.
 *
 * @param cpuModel        e.g. "AMD EPYC 7B13" (the first "model name" of /proc/cpuinfo)
 * @param cpuFeatures     x86: family, model and the vector extensions the cpu backend's speed depends on, e.g.
 *                        "family 25 model 1, AVX2 FMA" (VMs often report a bare "AMD EPYC" for CPUs of different
 *                        generations: Zen 3 has AVX2, Zen 4 AVX-512, and the cpu backend's vectors are 8 or 16 floats
 *                        wide accordingly); "" when /proc/cpuinfo does not say
 * @param logicalCores    processors available to this JVM (what --threads defaults to)
 * @param physicalCores   distinct (physical id, core id) pairs of /proc/cpuinfo; 0 when unknown
 * @param memoryBytes     total physical memory; 0 when unknown
 * @param maxHeapBytes    the JVM's heap limit (-Xmx)
 * @param java            version, vendor and VM
 * @param os              distribution (PRETTY_NAME) and kernel, or the JVM's os.name
 * @param arch            os.arch
 */
public record MachineInfo(String cpuModel, String cpuFeatures, int logicalCores, int physicalCores, long memoryBytes, long maxHeapBytes,
                          String java, String os, String arch) {

    public static MachineInfo collect() {
        String cpuinfo = readOrEmpty(Path.of("/proc/cpuinfo"));
        String model = cpuModel(cpuinfo);
        long memory = totalMemory();
        String osName = System.getProperty("os.name") + " " + System.getProperty("os.version");
        String pretty = osReleasePrettyName(readOrEmpty(Path.of("/etc/os-release")));
        String java = System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")";
        return new MachineInfo(model == null ? "unknown" : model, cpuFeatures(cpuinfo), Runtime.getRuntime().availableProcessors(),
                physicalCores(cpuinfo), memory, Runtime.getRuntime().maxMemory(), java,
                pretty == null ? osName : pretty + " (" + osName + ")", System.getProperty("os.arch"));
    }

    /** Rows for an environment table, in a fixed order. */
    public Map<String, String> rows() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", cpuModel + " (" + arch + (cpuFeatures.isEmpty() ? "" : ", " + cpuFeatures) + ")");
        m.put("CPU cores", logicalCores + " logical available to Java"
                + (physicalCores > 0 ? ", " + physicalCores + " physical" : ""));
        m.put("Memory", (memoryBytes > 0 ? gib(memoryBytes) : "unknown") + " (Java heap limit " + gib(maxHeapBytes) + ")");
        m.put("Java", java);
        m.put("OS", os);
        return m;
    }

    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** The first "model name" (x86) or "Model"/"Hardware" (ARM) line of /proc/cpuinfo; null when none. */
    static String cpuModel(String cpuinfo) {
        for (String key : new String[]{"model name", "Model", "Hardware"})
            for (String line : cpuinfo.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    String v = line.substring(colon + 1).trim().replaceAll("\\s+", " ");
                    if (!v.isEmpty()) return v;
                }
            }
        return null;
    }

    /**
     * "family F model M" and the vector extensions among AVX-512 (avx512f), AVX2 and FMA, from the first processor's
     * "cpu family", "model" and "flags" lines of /proc/cpuinfo (x86); "" when it has none of them.
     */
    static String cpuFeatures(String cpuinfo) {
        String family = null, model = null, flags = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
            if (key.equals("cpu family") && family == null) family = value;
            else if (key.equals("model") && model == null) model = value;
            else if (key.equals("flags") && flags == null) flags = " " + value + " ";
        }
        StringBuilder s = new StringBuilder();
        if (family != null && model != null) s.append("family ").append(family).append(" model ").append(model);
        if (flags != null) {
            StringBuilder ext = new StringBuilder();
            if (flags.contains(" avx512f ")) ext.append(" AVX-512");
            if (flags.contains(" avx2 ")) ext.append(" AVX2");
            if (flags.contains(" fma ")) ext.append(" FMA");
            if (ext.length() == 0) ext.append(" no AVX2");
            if (s.length() > 0) s.append(',');
            s.append(ext);
        }
        return s.toString().trim();
    }

    /** Distinct (physical id, core id) pairs; 0 when /proc/cpuinfo does not list them. */
    static int physicalCores(String cpuinfo) {
        Set<String> cores = new HashSet<>();
        String physical = "0";
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
            if (key.equals("physical id")) physical = value;
            else if (key.equals("core id")) cores.add(physical + "/" + value);
        }
        return cores.size();
    }

    /** PRETTY_NAME of /etc/os-release without its quotes; null when absent. */
    static String osReleasePrettyName(String osRelease) {
        for (String line : osRelease.split("\n"))
            if (line.startsWith("PRETTY_NAME=")) {
                String v = line.substring("PRETTY_NAME=".length()).trim();
                if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) v = v.substring(1, v.length() - 1);
                return v.isEmpty() ? null : v;
            }
        return null;
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getTotalMemorySize();
        return 0;
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
