package org.lenet5.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One loaded .cu unit of native-kernels/ with its kernel functions, by either {@link KernelPath}. */
final class KernelModule implements KernelLauncher, AutoCloseable {

    final KernelSources.Unit unit;
    final KernelPath path;
    private final CUmodule module;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private boolean loaded;

    private KernelModule(KernelSources.Unit unit, KernelPath path, CUmodule module) {
        this.unit = unit;
        this.path = path;
        this.module = module;
        this.loaded = true;
        try {
            for (String name : unit.kernels()) {
                CUfunction f = new CUfunction();
                CudaErrors.driver(JCudaDriver.cuModuleGetFunction(f, module, name), "cuModuleGetFunction", name + " in " + this);
                functions.put(name, f);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the unit by the given path. */
    static KernelModule load(KernelSources.Unit unit, KernelPath path, GpuInfo gpu) {
        CUmodule module = new CUmodule();
        String what = unit.fileStem() + " by " + path.description();
        switch (path) {
            // The String overload appends the NUL terminator the driver needs.
            case SHIPPED_PTX -> CudaErrors.driver(JCudaDriver.cuModuleLoadData(module, KernelSources.ptx(unit)),
                    "cuModuleLoadData", what);
            case NVRTC -> {
                Object image = compile(unit, gpu);
                int r = image instanceof byte[] cubin ? JCudaDriver.cuModuleLoadData(module, cubin)
                        : JCudaDriver.cuModuleLoadData(module, (String) image);
                CudaErrors.driver(r, "cuModuleLoadData", what);
            }
        }
        return new KernelModule(unit, path, module);
    }

    /** NVRTC: a CUBIN for the GPU's own architecture when NVRTC knows it, else PTX for the newest it knows. */
    private static Object compile(KernelSources.Unit unit, GpuInfo gpu) {
        int[] count = new int[1];
        CudaErrors.nvrtc(JNvrtc.nvrtcGetNumSupportedArchs(count), "nvrtcGetNumSupportedArchs", unit.fileStem());
        int[] archs = new int[count[0]];
        CudaErrors.nvrtc(JNvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs", unit.fileStem());
        String arch = nvrtcArchitecture(gpu.computeCapability(), archs);
        List<String> options = new ArrayList<>();
        options.add("--gpu-architecture=" + arch);
        options.addAll(KernelSources.NVRTC_OPTIONS);
        String what = unit.fileStem() + ".cu for " + arch;

        nvrtcProgram program = new nvrtcProgram();
        CudaErrors.nvrtc(JNvrtc.nvrtcCreateProgram(program, KernelSources.source(unit), unit.fileStem() + ".cu", 0, null, null),
                "nvrtcCreateProgram", what);
        try {
            int r = JNvrtc.nvrtcCompileProgram(program, options.size(), options.toArray(new String[0]));
            if (r != 0) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(program, log);
                String firstLine = log[0] == null ? "" : log[0].strip().lines().findFirst().orElse("");
                throw CudaErrors.failure(CudaErrors.Library.NVRTC, r, "nvrtcCompileProgram",
                        what + (firstLine.isEmpty() ? "" : " (" + firstLine + ")"));
            }
            if (arch.startsWith("sm_")) {
                long[] size = new long[1];
                CudaErrors.nvrtc(JNvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize", what);
                byte[] cubin = new byte[Math.toIntExact(size[0])];
                CudaErrors.nvrtc(JNvrtc.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN", what);
                return cubin;
            }
            String[] ptx = new String[1];
            CudaErrors.nvrtc(JNvrtc.nvrtcGetPTX(program, ptx), "nvrtcGetPTX", what);
            return ptx[0];
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }

    /**
     * "sm_XY" when NVRTC supports the GPU's architecture (a CUBIN, no driver JIT), otherwise "compute_XY" for the
     * newest architecture below it (PTX, which the driver JIT-compiles for the newer GPU).
     */
    static String nvrtcArchitecture(int computeCapability, int[] supported) {
        int best = -1;
        for (int a : supported) {
            if (a == computeCapability) return "sm_" + a;
            if (a < computeCapability && a > best) best = a;
        }
        if (best < 0) throw new CudaFailure("NVRTC supports none of the architectures up to compute capability "
                + computeCapability / 10 + "." + computeCapability % 10 + " (it knows " + java.util.Arrays.toString(supported) + ")", false);
        return "compute_" + best;
    }

    CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) throw new IllegalArgumentException("no kernel " + name + " in " + unit.fileStem());
        return f;
    }

    /** Launches a kernel on the default stream (no dynamic shared memory). */
    @Override
    public void launch(String kernel, LaunchConfig config, Object context, Object... arguments) {
        CudaErrors.driver(JCudaDriver.cuLaunchKernel(function(kernel), config.grid(), 1, 1, config.block(), 1, 1,
                0, null, args(arguments), null), "cuLaunchKernel " + kernel, context);
    }

    /** The kernel-parameter array: a pointer to one pointer per argument. */
    static Pointer args(Object... values) {
        NativePointerObject[] p = new NativePointerObject[values.length];
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof Pointer device) p[i] = Pointer.to(device);
            else if (v instanceof Integer n) p[i] = Pointer.to(new int[]{n});
            else if (v instanceof Float f) p[i] = Pointer.to(new float[]{f});
            else throw new IllegalArgumentException("kernel argument " + i + " is a " + (v == null ? "null" : v.getClass()));
        }
        return Pointer.to(p);
    }

    @Override
    public void close() {
        if (!loaded) return;
        loaded = false;
        CudaErrors.driver(JCudaDriver.cuModuleUnload(module), "cuModuleUnload", this);
    }

    @Override public String toString() { return unit.fileStem() + " (" + path.description() + ")"; }
}
