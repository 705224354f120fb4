// Optimizer updates over the whole flat parameter buffer, the same float32 rules as train.OptimizerMath
// (PyTorch's): every line below matches one line there. Built with fmad off (see build.sh and
// KernelSources.NVRTC_OPTIONS), so each multiply and add rounds separately, as Java's float arithmetic does.
//
// w  (n)  parameters, updated in place
// g  (n)  gradient of the mean loss (without the L2 term)
// s0 (n)  momentum velocity, or Adam's first moment m
// s1 (n)  Adam's second moment v
// Threads: one parameter each, grid-stride loop.

// sgd: w -= lr * (g + l2 * w)
extern "C" __global__ void sgd_update(int n, float lr, float l2,
                                      float* __restrict__ w, const float* __restrict__ g)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        w[i] -= lr * (g[i] + l2 * w[i]);
    }
}

// momentum:  v = mu * v + g';  w -= lr * v
// nesterov:  v = mu * v + g';  w -= lr * (g' + mu * v)      with g' = g + l2 * w
extern "C" __global__ void momentum_update(int n, float lr, float l2, float mu, int nesterov,
                                           float* __restrict__ w, const float* __restrict__ g,
                                           float* __restrict__ s0)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float gi = g[i] + l2 * w[i];
        const float v = mu * s0[i] + gi;
        s0[i] = v;
        if (nesterov) w[i] -= lr * (gi + mu * v);
        else w[i] -= lr * v;
    }
}

// adam / adamw. The host passes what OptimizerMath computes once per step:
//   decay   = 1 - lr * l2 for adamw (decoupled decay), 1 for adam
//   coupled = l2 for adam (added to the gradient), 0 for adamw
//   c1 = 1 - beta1^step, c2 = 1 - beta2^step (bias corrections)
extern "C" __global__ void adam_update(int n, float lr, float coupled, float decay,
                                       float b1, float b2, float eps, float c1, float c2,
                                       float* __restrict__ w, const float* __restrict__ g,
                                       float* __restrict__ s0, float* __restrict__ s1)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const float wi = w[i] * decay;
        const float gi = g[i] + coupled * w[i];
        const float m = b1 * s0[i] + (1.0f - b1) * gi;
        const float v = b2 * s1[i] + (1.0f - b2) * gi * gi;
        s0[i] = m;
        s1[i] = v;
        w[i] = wi - lr * (m / c1) / (sqrtf(v / c2) + eps);
    }
}
