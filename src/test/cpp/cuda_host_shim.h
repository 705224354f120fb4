// Runs the CUDA C kernels of native-kernels/ on the CPU, for tests on machines without a GPU.
//
// The kernel sources are compiled unchanged as C++: __global__/__device__ vanish, threadIdx and blockIdx are
// thread-local, and a launch runs each block in turn with blockDim.x real threads and a barrier for
// __syncthreads(), so shared-memory reductions behave as on the device. __shared__ arrays become function
// statics, shared by the threads of the block that is running (blocks run one at a time).
// Floating point: compiled without FMA contraction (-ffp-contract=off) and IEEE division/sqrt, as the
// shipped PTX (-fmad=false); expf/logf come from the C library, not CUDA's, so they may differ by an ulp or two.
#pragma once
#include <barrier>
#include <cmath>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
inline std::barrier<>* current_block_barrier = nullptr;

#define __global__
#define __device__
#define __shared__ static

inline void __syncthreads() { current_block_barrier->arrive_and_wait(); }

// kernel<<<grid, block>>>(args...) becomes emulate_launch(grid, block, [&] { kernel(args...); }).
template <class Body>
void emulate_launch(unsigned grid, unsigned block, Body body) {
    gridDim = dim3{grid, 1, 1};
    blockDim = dim3{block, 1, 1};
    for (unsigned b = 0; b < grid; b++) {
        std::barrier<> barrier(block);
        current_block_barrier = &barrier;
        std::vector<std::thread> threads;
        threads.reserve(block);
        for (unsigned t = 0; t < block; t++) {
            threads.emplace_back([&, b, t] {
                blockIdx = dim3{b, 1, 1};
                threadIdx = dim3{t, 1, 1};
                body();
            });
        }
        for (auto& th : threads) th.join();
        current_block_barrier = nullptr;
    }
}
