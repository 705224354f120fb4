// Softmax cross-entropy: probabilities, per-image loss, correct flags and the gradient of the MEAN loss,
// then the batch totals in a fixed order (so --deterministic runs give identical metrics).
//
// logits      (n, classes)
// labels      (count)          the dataset's labels as bytes; image b's label is labels[index[b]]
// index       (n)
// probs       (n, classes)     softmax(logits)
// dlogits     (n, classes)     (probs - onehot(label)) / n, written only when write_grad != 0
// row_loss    (n)              log(sum exp(z)) - z[label], computed as in ReferenceLayers (max subtracted first)
// row_correct (n)              1 when the largest logit is the label; ties go to the lower class
extern "C" __global__ void softmax_cross_entropy(const float* __restrict__ logits,
                                                 const unsigned char* __restrict__ labels,
                                                 const int* __restrict__ index,
                                                 int n, int classes, int write_grad,
                                                 float* __restrict__ probs,
                                                 float* __restrict__ dlogits,
                                                 float* __restrict__ row_loss,
                                                 int* __restrict__ row_correct)
{
    // Threads: one image (row) each, grid-stride; a row has only `classes` (10) values.
    for (int b = blockIdx.x * blockDim.x + threadIdx.x; b < n; b += gridDim.x * blockDim.x) {
        const float* z = logits + (long long) b * classes;
        float max = z[0];
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (z[k] > max) { max = z[k]; best = k; }   // strict: ties keep the lower class
        }
        float sum = 0.0f;
        for (int k = 0; k < classes; k++) sum += expf(z[k] - max);
        const float log_sum = logf(sum) + max;
        const int label = labels[index[b]];
        row_loss[b] = log_sum - z[label];
        row_correct[b] = best == label ? 1 : 0;
        for (int k = 0; k < classes; k++) {
            const float p = expf(z[k] - log_sum);
            probs[(long long) b * classes + k] = p;
            if (write_grad) dlogits[(long long) b * classes + k] = (p - (k == label ? 1.0f : 0.0f)) / (float) n;
        }
    }
}

// The launcher must use exactly one block of TOTALS_THREADS threads (LaunchConfig.TOTALS_THREADS in Java).
#define TOTALS_THREADS 256

// totals (2) doubles: [0] = sum of row_loss, [1] = number of correct rows.
// Thread t sums rows t, t + 256, ... in double, then a tree over shared memory: the order of additions is
// fixed by n alone, so the result is bit-identical from run to run (no atomics).
extern "C" __global__ void batch_totals(const float* __restrict__ row_loss,
                                        const int* __restrict__ row_correct,
                                        int n, double* __restrict__ totals)
{
    __shared__ double loss[TOTALS_THREADS];
    __shared__ double correct[TOTALS_THREADS];
    const int t = threadIdx.x;
    double l = 0.0, c = 0.0;
    for (int b = t; b < n; b += TOTALS_THREADS) {
        l += (double) row_loss[b];
        c += (double) row_correct[b];
    }
    loss[t] = l;
    correct[t] = c;
    __syncthreads();
    for (int s = TOTALS_THREADS / 2; s > 0; s >>= 1) {
        if (t < s) {
            loss[t] += loss[t + s];
            correct[t] += correct[t + s];
        }
        __syncthreads();
    }
    if (t == 0) {
        totals[0] = loss[0];
        totals[1] = correct[0];
    }
}
