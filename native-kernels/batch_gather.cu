// Batch gather: builds one batch of network input from the training set that lives on the device as bytes.
//
// pixels (count, rows, cols) unsigned 8-bit, exactly as the IDX file stores them
// index  (n)                 dataset row of each batch row (the shuffled order's slice for this step)
// out    (n, 1, H, W)        H = rows + 2*pad, W = cols + 2*pad; out = pixel * scale inside, 0 on the border
//
// Same values as Preprocessing.apply on the host: (pixel & 0xFF) * scale, one float multiply.
// Threads: one output element each, e = ((b * H) + r) * W + c (c fastest, NCHW with C = 1),
// grid-stride loop so any grid size covers any batch.
extern "C" __global__ void gather_normalize_pad(const unsigned char* __restrict__ pixels,
                                                const int* __restrict__ index,
                                                int n, int rows, int cols, int pad, float scale,
                                                float* __restrict__ out)
{
    const int h = rows + 2 * pad;
    const int w = cols + 2 * pad;
    const long long total = (long long) n * h * w;
    const long long stride = (long long) gridDim.x * blockDim.x;
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int c = (int) (e % w);
        const int r = (int) ((e / w) % h);
        const int b = (int) (e / ((long long) h * w));
        const int sr = r - pad;
        const int sc = c - pad;
        float v = 0.0f;
        if (sr >= 0 && sr < rows && sc >= 0 && sc < cols) {
            const long long src = (long long) index[b] * rows * cols + (long long) sr * cols + sc;
            v = (float) pixels[src] * scale;
        }
        out[e] = v;
    }
}
