#!/bin/sh
# Regenerates the PTX the jar ships (src/main/resources/kernels/<name>.ptx) from native-kernels/<name>.cu.
#
# Usage: native-kernels/build.sh [output-dir]      (default: src/main/resources/kernels)
# NVCC overrides the compiler (default /usr/local/cuda/bin/nvcc, CUDA 13.0).
#
# Flags, and why:
#   -ptx -arch=compute_75   PTX for a virtual architecture: the driver JIT-compiles it for the GPU it runs on.
#                           compute_75 (Turing) is the oldest target nvcc 13 accepts. nvcc 13 writes PTX ISA 9.0,
#                           which needs a CUDA 13 driver (580 or newer); older drivers use NVRTC instead (README).
#   -fmad=false             no fused multiply-add contraction, so the optimizer matches OptimizerMath's float
#                           arithmetic bit for bit (KernelSources.NVRTC_OPTIONS gives NVRTC the same flag).
# The test ShippedPtxTest runs this script into a temporary directory and requires identical bytes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../src/main/resources/kernels"}
nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
mkdir -p "$out"
cd "$here"
for src in *.cu; do
    "$nvcc" -ptx -arch=compute_75 -fmad=false -o "$out/${src%.cu}.ptx" "$src"
done
