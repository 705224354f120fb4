// Command-line driver for the CPU emulation of our CUDA kernels (see cuda_host_shim.h).
//
//   kernel_emulator <kernel> <grid> <block> <input file> <output file>
//
// The input is the kernel's arguments as little-endian binary in the order listed per kernel below
// (arrays after their lengths); the output is the arrays the kernel writes, in the order listed.
// The Java test (KernelEmulator) writes the inputs, reads the outputs, and compares them with the
// project's oracles (Preprocessing, ReferenceLayers, OptimizerMath).
#include "cuda_host_shim.h"

#include "batch_gather.cu"
#include "optimizer.cu"
#include "softmax_loss.cu"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct Reader {
    FILE* f;
    template <class T> T one() {
        T v;
        if (std::fread(&v, sizeof(T), 1, f) != 1) fail("input too short");
        return v;
    }
    template <class T> std::vector<T> many(long long n) {
        std::vector<T> v(n);
        if (n > 0 && std::fread(v.data(), sizeof(T), n, f) != (size_t) n) fail("input too short");
        return v;
    }
    [[noreturn]] static void fail(const char* what) {
        std::fprintf(stderr, "kernel_emulator: %s\n", what);
        std::exit(3);
    }
};

template <class T> void put(FILE* f, const std::vector<T>& v) {
    if (!v.empty()) std::fwrite(v.data(), sizeof(T), v.size(), f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: kernel_emulator <kernel> <grid> <block> <in> <out>\n");
        return 2;
    }
    const std::string kernel = argv[1];
    const unsigned grid = (unsigned) std::atoi(argv[2]);
    const unsigned block = (unsigned) std::atoi(argv[3]);
    FILE* in = std::fopen(argv[4], "rb");
    FILE* out = std::fopen(argv[5], "wb");
    if (!in || !out) Reader::fail("cannot open input or output");
    Reader r{in};

    if (kernel == "gather_normalize_pad") {
        // in: int count, rows, cols, pad, n; float scale; u8 pixels[count*rows*cols]; int index[n]
        // out: float out[n*(rows+2pad)*(cols+2pad)]
        int count = r.one<int32_t>(), rows = r.one<int32_t>(), cols = r.one<int32_t>();
        int pad = r.one<int32_t>(), n = r.one<int32_t>();
        float scale = r.one<float>();
        auto pixels = r.many<unsigned char>((long long) count * rows * cols);
        auto index = r.many<int32_t>(n);
        std::vector<float> y((long long) n * (rows + 2 * pad) * (cols + 2 * pad), -1.0f);
        emulate_launch(grid, block, [&] {
            gather_normalize_pad(pixels.data(), index.data(), n, rows, cols, pad, scale, y.data());
        });
        put(out, y);
    } else if (kernel == "softmax_cross_entropy") {
        // in: int n, classes, write_grad, count; float logits[n*classes]; u8 labels[count]; int index[n]
        // out: float probs[n*classes], dlogits[n*classes], row_loss[n]; int row_correct[n]; double totals[2]
        // (batch_totals runs after it with one block of TOTALS_THREADS, as the backend launches it)
        int n = r.one<int32_t>(), classes = r.one<int32_t>(), write_grad = r.one<int32_t>(), count = r.one<int32_t>();
        auto logits = r.many<float>((long long) n * classes);
        auto labels = r.many<unsigned char>(count);
        auto index = r.many<int32_t>(n);
        std::vector<float> probs((long long) n * classes, -1.0f), dlogits((long long) n * classes, -7.0f);
        std::vector<float> loss(n, -1.0f);
        std::vector<int32_t> correct(n, -1);
        std::vector<double> totals(2, -1.0);
        emulate_launch(grid, block, [&] {
            softmax_cross_entropy(logits.data(), labels.data(), index.data(), n, classes, write_grad,
                                  probs.data(), dlogits.data(), loss.data(), correct.data());
        });
        emulate_launch(1, TOTALS_THREADS, [&] { batch_totals(loss.data(), correct.data(), n, totals.data()); });
        put(out, probs);
        put(out, dlogits);
        put(out, loss);
        put(out, correct);
        put(out, totals);
    } else if (kernel == "sgd_update") {
        // in: int n; float lr, l2; float w[n], g[n]   out: w
        int n = r.one<int32_t>();
        float lr = r.one<float>(), l2 = r.one<float>();
        auto w = r.many<float>(n);
        auto g = r.many<float>(n);
        emulate_launch(grid, block, [&] { sgd_update(n, lr, l2, w.data(), g.data()); });
        put(out, w);
    } else if (kernel == "momentum_update") {
        // in: int n; float lr, l2, mu; int nesterov; float w[n], g[n], s0[n]   out: w, s0
        int n = r.one<int32_t>();
        float lr = r.one<float>(), l2 = r.one<float>(), mu = r.one<float>();
        int nesterov = r.one<int32_t>();
        auto w = r.many<float>(n);
        auto g = r.many<float>(n);
        auto s0 = r.many<float>(n);
        emulate_launch(grid, block, [&] { momentum_update(n, lr, l2, mu, nesterov, w.data(), g.data(), s0.data()); });
        put(out, w);
        put(out, s0);
    } else if (kernel == "adam_update") {
        // in: int n; float lr, coupled, decay, b1, b2, eps, c1, c2; float w[n], g[n], s0[n], s1[n]
        // out: w, s0, s1
        int n = r.one<int32_t>();
        float lr = r.one<float>(), coupled = r.one<float>(), decay = r.one<float>();
        float b1 = r.one<float>(), b2 = r.one<float>(), eps = r.one<float>();
        float c1 = r.one<float>(), c2 = r.one<float>();
        auto w = r.many<float>(n);
        auto g = r.many<float>(n);
        auto s0 = r.many<float>(n);
        auto s1 = r.many<float>(n);
        emulate_launch(grid, block, [&] {
            adam_update(n, lr, coupled, decay, b1, b2, eps, c1, c2, w.data(), g.data(), s0.data(), s1.data());
        });
        put(out, w);
        put(out, s0);
        put(out, s1);
    } else {
        std::fprintf(stderr, "kernel_emulator: unknown kernel %s\n", kernel.c_str());
        return 2;
    }
    std::fclose(in);
    std::fclose(out);
    return 0;
}
