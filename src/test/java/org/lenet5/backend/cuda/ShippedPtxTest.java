package org.lenet5.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernels the jar ships are the ones native-kernels/ holds: every .cu compiles with nvcc, the committed
 * PTX is byte for byte what native-kernels/build.sh makes of the sources, and the jar's kernels/*.cu are the
 * sources. Skipped (with the reason) only where nvcc is absent; CI has it.
 */
class ShippedPtxTest {

    private static final Path SHIPPED = Path.of("src/main/resources/kernels");

    @Test
    void everyKernelFileCompilesForTuringHopperAndBlackwell(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeTools.nvccAvailable(), NativeTools.nvccMissing());
        for (Path cu : NativeTools.cuFiles())
            for (String arch : List.of("sm_75", "sm_90", "sm_120")) {
                Path cubin = tmp.resolve(cu.getFileName() + "." + arch + ".cubin");
                NativeTools.run(List.of(NativeTools.NVCC.toString(), "-cubin", "-arch=" + arch, "-fmad=false", "-Werror",
                        "all-warnings", "-o", cubin.toString(), cu.toString()), null, 300);
                assertTrue(Files.size(cubin) > 0, cubin.toString());
            }
    }

    @Test
    void committedPtxIsExactlyWhatBuildShMakesOfTheSources(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeTools.nvccAvailable(), NativeTools.nvccMissing());
        NativeTools.run(List.of("sh", NativeTools.kernelDir().resolve("build.sh").toString(), tmp.toString()), null, 600);
        assertEquals(names(SHIPPED, ".ptx"), names(tmp, ".ptx"), "one shipped .ptx per native-kernels/*.cu");
        for (String name : names(tmp, ".ptx")) {
            byte[] fresh = Files.readAllBytes(tmp.resolve(name)), shipped = Files.readAllBytes(SHIPPED.resolve(name));
            if (!java.util.Arrays.equals(fresh, shipped))
                fail(name + " differs from what native-kernels/build.sh produces now ("
                        + compilerLine(new String(fresh, StandardCharsets.UTF_8)) + " vs shipped "
                        + compilerLine(new String(shipped, StandardCharsets.UTF_8)) + "); run native-kernels/build.sh and commit");
        }
    }

    @Test
    void everyCuFileHasItsPtxAndTheJarCarriesTheSourcesForNvrtc() throws Exception {
        List<String> stems = new ArrayList<>();
        for (Path cu : NativeTools.cuFiles()) stems.add(cu.getFileName().toString().replace(".cu", ""));
        List<String> units = new ArrayList<>();
        for (KernelSources.Unit u : KernelSources.Unit.values()) units.add(u.fileStem());
        assertEquals(stems, units.stream().sorted().toList(), "KernelSources.Unit lists every .cu of native-kernels/");
        for (KernelSources.Unit u : KernelSources.Unit.values()) {
            String onDisk = Files.readString(NativeTools.kernelDir().resolve(u.fileStem() + ".cu"));
            assertEquals(onDisk, KernelSources.source(u), "kernels/" + u.fileStem() + ".cu in the jar");
            assertEquals(Files.readString(SHIPPED.resolve(u.fileStem() + ".ptx")), KernelSources.ptx(u));
        }
    }

    @Test
    void everyKernelTheBackendLaunchesIsAnEntryOfItsPtx() {
        for (KernelSources.Unit u : KernelSources.Unit.values()) {
            String ptx = KernelSources.ptx(u);
            for (String k : u.kernels()) assertTrue(ptx.contains(".visible .entry " + k + "("), k + " in " + u.fileStem() + ".ptx");
        }
    }

    @Test
    void allShippedPtxSharesOneHeaderSoOnePathLoadsThemAll() {
        for (KernelSources.Unit u : KernelSources.Unit.values())
            assertEquals(KernelSources.shippedPtxHeader(), KernelPath.PtxHeader.parse(KernelSources.ptx(u)), u.fileStem());
    }

    @Test
    void nvrtcGetsTheSameFloatingPointFlagsAsNvcc() throws IOException {
        String build = Files.readString(NativeTools.kernelDir().resolve("build.sh"));
        assertTrue(build.contains("-fmad=false"), "build.sh compiles without FMA contraction");
        assertTrue(KernelSources.NVRTC_OPTIONS.contains("--fmad=false"), "so does NVRTC");
    }

    @Test
    void theTotalsKernelsBlockWidthMatchesTheLauncher() throws IOException {
        Matcher m = Pattern.compile("#define TOTALS_THREADS (\\d+)")
                .matcher(Files.readString(NativeTools.kernelDir().resolve("softmax_loss.cu")));
        assertTrue(m.find());
        assertEquals(LaunchConfig.TOTALS_THREADS, Integer.parseInt(m.group(1)));
        int t = LaunchConfig.TOTALS_THREADS;
        assertEquals(0, t & (t - 1), "the tree reduction halves the width: a power of two");
    }

    private static TreeSet<String> names(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> r = new TreeSet<>();
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).forEach(r::add);
            return r;
        }
    }

    private static String compilerLine(String ptx) {
        return ptx.lines().filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("unknown compiler").substring(3);
    }
}
