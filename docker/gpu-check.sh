#!/bin/sh
# Runs the GPU tests that a GPU machine without Java allows, with what docker/gpu-check-prepare.sh put in
# target/gpu-check/ (a jlink'd Java runtime, the jar, the compiled tests, JUnit's console launcher).
#
# Made for the project's occasional check machine: an H200, NVIDIA driver 580 (CUDA 13), cuDNN 9 only inside
# Python wheels (site-packages/nvidia/cudnn/lib), no Java, no CUDA 12 cuBLAS. What runs there:
#   - lenet5 info                      the probe: GPU, driver, which library is missing, kernel loading path
#   - KernelsGpuTest                   our kernels by the shipped PTX (driver >= 580 JITs PTX ISA 9.0); NVRTC only
#                                      if a libnvrtc.so.12 is found (JNvrtc links .so.12, a CUDA 13 wheel has .so.13)
#   - CudnnLayersGpuTest               convolution, pooling and activation on cuDNN 9 from the wheel
#   - CublasDenseGpuTest               skipped there (no libcublas.so.12); runs where one is on the library path
#   - CudaBackendGpuTest, CudaMnistGpuTest, CudaCliTest's GPU test
#                                      need the whole stack (cuBLAS 12) and MNIST; skipped there with the reason
# Every skipped test says why (JUnit assumption messages in the report). Limits: a cuDNN built for CUDA 13 runs
# next to JCuda's static CUDA 12.0 runtime in one process (both use the driver's primary context); the JCudnn
# 12.6.0 natives were built against cuDNN 9.5 headers, so a newer cuDNN 9.x must keep the legacy API's ABI.
#
# Usage (from the repository root): sh docker/gpu-check.sh [report-dir]   (default: $OUT if set, else target/gpu-check-report)
set -u
cd "$(dirname "$0")/.."
kit=target/gpu-check
report=${1:-${OUT:-target/gpu-check-report}}
mkdir -p "$report"
java="$kit/jre/bin/java"
[ -x "$java" ] || { echo "error: $java missing: run docker/gpu-check-prepare.sh on a build machine and carry $kit" >&2; exit 2; }

# Library directories of NVIDIA's Python wheels (nvidia/<lib>/lib), wherever Python keeps them.
wheel_libs=""
for py in python3 python; do
    command -v "$py" >/dev/null 2>&1 || continue
    for d in $("$py" -c 'import site, sys; print(" ".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null); do
        for lib in "$d"/nvidia/*/lib; do [ -d "$lib" ] && wheel_libs="$wheel_libs:$lib"; done
    done
done
if [ -z "$wheel_libs" ]; then
    for lib in $(find / -xdev -type d -path '*/nvidia/*/lib' 2>/dev/null | head -50); do wheel_libs="$wheel_libs:$lib"; done
fi
export LD_LIBRARY_PATH="${wheel_libs#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

natives=$(mktemp -d)   # JCuda unpacks its natives here: writable and executable
opts="-Xmx8g -Djava.io.tmpdir=$natives --add-modules jdk.incubator.vector"

{
    echo "== machine"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | head -5
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    for so in libcuda.so.1 libcudnn.so.9 libcublas.so.12 libcublas.so.13 libnvrtc.so.12 libnvrtc.so.13; do
        found=$(ldconfig -p 2>/dev/null | grep -m1 " $so " | sed 's/.*=> //')
        [ -z "$found" ] && for d in $(echo "$LD_LIBRARY_PATH" | tr ':' ' '); do [ -e "$d/$so" ] && found="$d/$so" && break; done
        echo "$so: ${found:-not found}"
    done
    echo "== lenet5 info"
    # shellcheck disable=SC2086
    "$java" $opts -jar "$kit/lenet5.jar" info 2>&1
} | tee "$report/machine.txt"

echo "== GPU tests (tag gpu)"
{
    # shellcheck disable=SC2086
    "$java" $opts -jar "$kit/junit-console.jar" execute \
        --class-path "$kit/lenet5.jar:$kit/test-classes" \
        --include-tag gpu \
        --select-class org.lenet5.backend.cuda.KernelsGpuTest \
        --select-class org.lenet5.backend.cuda.CudnnLayersGpuTest \
        --select-class org.lenet5.backend.cuda.CublasDenseGpuTest \
        --select-class org.lenet5.backend.cuda.CudaBackendGpuTest \
        --select-class org.lenet5.backend.cuda.CudaMnistGpuTest \
        --details=tree --disable-banner --disable-ansi-colors \
        --reports-dir "$report/junit" 2>&1
    echo $? > "$report/junit-exit-code"
} | tee "$report/tests.txt"
status=$(cat "$report/junit-exit-code")
rm -rf "$natives"
exit $status
