package org.lenet5.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MachineInfoTest {

    static final String CPUINFO = """
            processor\t: 0
            model name\t: AMD EPYC 7B13 64-Core Processor
            physical id\t: 0
            core id\t\t: 0

            processor\t: 1
            model name\t: AMD EPYC 7B13 64-Core Processor
            physical id\t: 0
            core id\t\t: 0

            processor\t: 2
            model name\t: AMD EPYC 7B13 64-Core Processor
            physical id\t: 0
            core id\t\t: 1
            """;

    @Test
    void cpuModelAndPhysicalCoresComeFromProcCpuinfo() {
        assertEquals("AMD EPYC 7B13 64-Core Processor", MachineInfo.cpuModel(CPUINFO));
        assertEquals(2, MachineInfo.physicalCores(CPUINFO), "two hyper-threads of core 0 and core 1");
        assertNull(MachineInfo.cpuModel(""));
        assertEquals(0, MachineInfo.physicalCores(""));
    }

    @Test
    void cpuFeaturesNameTheFamilyModelAndVectorExtensions() {
        String zen3 = "processor\t: 0\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\n"
                + "flags\t\t: fpu sse sse2 avx fma avx2 bmi2\n\nprocessor\t: 1\ncpu family\t: 25\nmodel\t\t: 1\n";
        assertEquals("family 25 model 1, AVX2 FMA", MachineInfo.cpuFeatures(zen3));
        String zen4 = "cpu family\t: 25\nmodel\t\t: 17\nflags\t\t: fpu avx fma avx2 avx512f avx512dq\n";
        assertEquals("family 25 model 17, AVX-512 AVX2 FMA", MachineInfo.cpuFeatures(zen4));
        assertEquals("family 6 model 23, no AVX2", MachineInfo.cpuFeatures("cpu family\t: 6\nmodel\t\t: 23\nflags\t\t: sse sse2 avx\n"));
        assertEquals("", MachineInfo.cpuFeatures(CPUINFO), "no family, model or flags lines");
        assertEquals("", MachineInfo.cpuFeatures(""));
    }

    @Test
    void osNameIsThePrettyNameOfOsRelease() {
        assertEquals("Debian GNU/Linux 12 (bookworm)",
                MachineInfo.osReleasePrettyName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
        assertNull(MachineInfo.osReleasePrettyName("NAME=x\n"));
    }

    @Test
    void collectedInfoDescribesThisJvm() {
        MachineInfo m = MachineInfo.collect();
        assertEquals(Runtime.getRuntime().availableProcessors(), m.logicalCores());
        assertEquals(Runtime.getRuntime().maxMemory(), m.maxHeapBytes());
        assertTrue(m.java().startsWith(System.getProperty("java.version")), m.java());
        assertEquals(java.util.List.of("CPU", "CPU cores", "Memory", "Java", "OS"), java.util.List.copyOf(m.rows().keySet()));
    }

    @Test
    void nvidiaSmiAnswerGivesNameMemoryDriverAndTheDriversCudaVersion() {
        GpuDescription g = GpuProbe.parseNvidiaSmi("NVIDIA H200, 143771, 570.124.06\n",
                "| NVIDIA-SMI 570.124.06   Driver Version: 570.124.06   CUDA Version: 12.8     |");
        assertTrue(g.present());
        assertEquals("NVIDIA H200", g.name());
        assertEquals("140.4 GiB", g.memory());   // 143771 MiB
        assertEquals("570.124.06", g.driver());
        assertEquals("12.8 (the driver's; runtime not probed)", g.cuda());
        assertEquals(GpuProbe.NOT_PROBED, g.cudnn());
        assertFalse(GpuProbe.parseNvidiaSmi("", "").present());
        assertEquals("NVIDIA A100 (first of 2)", GpuProbe.parseNvidiaSmi("NVIDIA A100, 40960, 550.1\nNVIDIA A100, 40960, 550.1\n", "").name());
    }

    @Test
    void commitOfADirectoryOutsideAnyCheckoutIsUnknownWithTheReason() throws Exception {
        java.nio.file.Path outside = java.nio.file.Files.createTempDirectory("no-git");
        try {
            assertTrue(BuildInfo.commit(outside).startsWith("unknown ("), BuildInfo.commit(outside));
        } finally {
            java.nio.file.Files.delete(outside);
        }
    }
}
