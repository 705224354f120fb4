package org.lenet5.backend.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;
import jcuda.nvrtc.JNvrtc;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

/**
 * Finds out, without throwing, whether this machine can run the CUDA backend: loads each JCuda binding
 * (each links one system library: JCudaDriver libcuda.so.1, JCublas2 libcublas.so.12, JCudnn libcudnn.so.9,
 * JNvrtc libnvrtc.so.12), asks the driver for a GPU, and decides how our kernels would load.
 * JCuda reports a missing library as UnsatisfiedLinkError / NoClassDefFoundError, so LinkageError is caught.
 */
public final class CudaProbe {

    /** The cuDNN major version the JCudnn 12.6.0 natives link (libcudnn.so.9). */
    public static final int CUDNN_MAJOR = 9;

    private static final Pattern DRIVER_RELEASE = Pattern.compile("Kernel Module(?:\\s+for\\s+\\S+)?\\s+(\\d+(?:\\.\\d+)+)");

    private CudaProbe() {}

    public static CudaStatus probe() {
        String deviceProblem = null;
        GpuInfo gpu = null;
        int driverVersion = 0;
        try {
            int r = JCudaDriver.cuInit(0);
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
                deviceProblem = "no CUDA GPU is visible (cuInit: CUDA_ERROR_NO_DEVICE" + visibleDevicesNote() + ")";
            } else if (r != 0) {
                deviceProblem = "the NVIDIA driver did not initialise (cuInit: " + CudaErrors.statusName(CudaErrors.Library.DRIVER, r) + ")";
            } else {
                int[] v = new int[1];
                if (JCudaDriver.cuDriverGetVersion(v) == 0) driverVersion = v[0];
                int[] count = new int[1];
                int c = JCudaDriver.cuDeviceGetCount(count);
                if (c != 0) deviceProblem = "the NVIDIA driver cannot count GPUs (cuDeviceGetCount: "
                        + CudaErrors.statusName(CudaErrors.Library.DRIVER, c) + ")";
                else if (count[0] < 1) deviceProblem = "no CUDA GPU is visible" + visibleDevicesNote();
                else gpu = describeDevice(0);
            }
        } catch (LinkageError e) {
            deviceProblem = LinkFailure.describe(e, "libcuda.so.1", "NVIDIA driver");
        }

        int runtimeVersion = 0;
        try {
            int[] v = new int[1];
            if (JCuda.cudaRuntimeGetVersion(v) == 0) runtimeVersion = v[0];
            if (deviceProblem == null) {
                int r = JCuda.cudaGetDeviceCount(new int[1]);
                if (r == cudaError.cudaErrorInsufficientDriver)
                    deviceProblem = "the NVIDIA driver (CUDA " + KernelPath.version(driverVersion) + ") is older than the CUDA "
                            + KernelPath.version(runtimeVersion) + " runtime needs; install driver 525 or newer";
                else if (r != 0)
                    deviceProblem = "the CUDA runtime found no usable GPU (cudaGetDeviceCount: "
                            + CudaErrors.statusName(CudaErrors.Library.RUNTIME, r) + ")";
            }
        } catch (LinkageError e) {
            if (deviceProblem == null) deviceProblem = LinkFailure.describe(e, "libJCudaRuntime", "JCuda runtime");
        }

        String cublasProblem = null, cublasVersion = null;
        try {
            cublasVersion = cublasVersion();
        } catch (LinkageError e) {
            cublasProblem = LinkFailure.describe(e, "libcublas.so.12", "cuBLAS 12");
        }

        String cudnnProblem = null, cudnnVersion = null;
        try {
            int[] v = cudnnVersion(JCudnn.cudnnGetVersion());
            cudnnVersion = v[0] + "." + v[1] + "." + v[2];
            if (v[0] != CUDNN_MAJOR)
                cudnnProblem = "cuDNN " + cudnnVersion + " found but cuDNN " + CUDNN_MAJOR + " (libcudnn.so.9) is needed";
        } catch (LinkageError e) {
            cudnnProblem = LinkFailure.describe(e, "libcudnn.so.9", "cuDNN 9");
        }

        String nvrtcVersion = null;
        try {
            int[] major = new int[1], minor = new int[1];
            if (JNvrtc.nvrtcVersion(major, minor) == 0) nvrtcVersion = major[0] + "." + minor[0];
        } catch (LinkageError e) {
            nvrtcVersion = null;
        }

        KernelPath.Plan plan = null;
        String kernelProblem = null;
        if (gpu != null) {
            plan = KernelPath.plan(driverVersion, gpu.computeCapability(), nvrtcVersion != null, KernelSources.shippedPtxHeader());
            if (!plan.possible()) kernelProblem = "our CUDA kernels cannot be loaded: " + String.join(" and ", plan.excluded());
        }
        return new CudaStatus(deviceProblem, cublasProblem, cudnnProblem, kernelProblem, gpu, driverVersion,
                driverRelease(), runtimeVersion, cublasVersion, cudnnVersion, nvrtcVersion, plan);
    }

    private static GpuInfo describeDevice(int ordinal) {
        CUdevice dev = new CUdevice();
        CudaErrors.driver(JCudaDriver.cuDeviceGet(dev, ordinal), "cuDeviceGet", "device " + ordinal);
        byte[] name = new byte[256];
        CudaErrors.driver(JCudaDriver.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName", "device " + ordinal);
        int[] major = new int[1], minor = new int[1], sms = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        JCudaDriver.cuDeviceGetAttribute(sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
        long[] mem = new long[1];
        JCudaDriver.cuDeviceTotalMem(mem, dev);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        return new GpuInfo(ordinal, new String(name, 0, len, StandardCharsets.UTF_8), major[0] * 10 + minor[0], mem[0], sms[0]);
    }

    /**
     * cudnnGetVersion's number as {major, minor, patch}: cuDNN 9 encodes major*10000 + minor*100 + patch (90501),
     * cuDNN 8 and older major*1000 + minor*100 + patch (8902). The 11.7 jar's CUDNN_VERSION constant is not used.
     */
    static int[] cudnnVersion(long v) {
        if (v >= 90000) return new int[]{(int) (v / 10000), (int) (v / 100 % 100), (int) (v % 100)};
        return new int[]{(int) (v / 1000), (int) (v / 100 % 10), (int) (v % 100)};
    }

    private static String cublasVersion() {
        int[] major = new int[1], minor = new int[1], patch = new int[1];
        JCublas2.cublasGetProperty(0, major);
        JCublas2.cublasGetProperty(1, minor);
        JCublas2.cublasGetProperty(2, patch);
        return major[0] + "." + minor[0] + "." + patch[0];
    }

    private static String visibleDevicesNote() {
        String v = System.getenv("CUDA_VISIBLE_DEVICES");
        return v == null ? "" : "; CUDA_VISIBLE_DEVICES=" + v;
    }

    /** The NVIDIA kernel module's release, or null when /proc/driver/nvidia/version is absent. */
    static String driverRelease() {
        Path p = Path.of("/proc/driver/nvidia/version");
        try {
            return Files.isReadable(p) ? parseDriverRelease(Files.readString(p)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul ..." -> "580.65.06". */
    static String parseDriverRelease(String procVersion) {
        Matcher m = DRIVER_RELEASE.matcher(procVersion);
        return m.find() ? m.group(1) : null;
    }
}
