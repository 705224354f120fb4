package org.lenet5.backend.cuda;

/**
 * @param ordinal           device number (0: the first visible GPU; CUDA_VISIBLE_DEVICES selects which)
 * @param name              e.g. "NVIDIA H200"
 * @param computeCapability major*10 + minor, e.g. 90
 * @param totalMemory       device memory in bytes
 * @param multiprocessors   SM count
 */
public record GpuInfo(int ordinal, String name, int computeCapability, long totalMemory, int multiprocessors) {

    public String computeCapabilityText() { return computeCapability / 10 + "." + computeCapability % 10; }
}
