package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import org.lenet5.backend.cuda.BlasCall.Gemm;
import org.lenet5.backend.cuda.BlasCall.Gemv;
import org.lenet5.backend.cuda.BlasCall.Operand;

import java.util.EnumMap;
import java.util.List;

/**
 * A dense layer y = x W^T + b on cuBLAS (sgemm, sgemv). The calls and their row-major/column-major mapping are
 * built by {@link DenseCalls}, where each is explained; this class only binds the operands to device pointers.
 * <pre>
 * x (N, in)   W (out, in)   b (out)   y (N, out)   ones (N)
 * </pre>
 */
final class CublasDense {

    private final CudaContext ctx;
    private final String name;
    private final int in, out;
    private int batch;

    CublasDense(CudaContext ctx, String name, int in, int out) {
        this.ctx = ctx;
        this.name = name;
        this.in = in;
        this.out = out;
    }

    void forward(int n, Pointer x, Pointer w, Pointer b, Pointer y, Pointer ones) {
        batch = n;
        EnumMap<Operand, Pointer> p = new EnumMap<>(Operand.class);
        p.put(Operand.X, x);
        p.put(Operand.W, w);
        p.put(Operand.B, b);
        p.put(Operand.Y, y);
        p.put(Operand.ONES, ones);
        run(DenseCalls.forward(n, in, out), p);
    }

    /** dW, db, and dx unless dx is null; all overwritten. */
    void backward(int n, Pointer x, Pointer w, Pointer dy, Pointer dw, Pointer db, Pointer dx, Pointer ones) {
        batch = n;
        EnumMap<Operand, Pointer> p = new EnumMap<>(Operand.class);
        p.put(Operand.X, x);
        p.put(Operand.W, w);
        p.put(Operand.DY, dy);
        p.put(Operand.DW, dw);
        p.put(Operand.DB, db);
        p.put(Operand.ONES, ones);
        if (dx != null) p.put(Operand.DX, dx);
        run(DenseCalls.backward(n, in, out, dx != null), p);
    }

    private void run(List<BlasCall> calls, EnumMap<Operand, Pointer> p) {
        for (BlasCall call : calls) {
            if (call instanceof Gemm g) {
                CudaErrors.cublas(JCublas2.cublasSgemm(ctx.cublas, g.transA().cublas(), g.transB().cublas(), g.m(), g.n(), g.k(),
                        Scalars.of(g.alpha()), p.get(g.a()), g.lda(), p.get(g.b()), g.ldb(), Scalars.of(g.beta()),
                        p.get(g.c()), g.ldc()), "cublasSgemm " + g, this);
            } else if (call instanceof Gemv v) {
                CudaErrors.cublas(JCublas2.cublasSgemv(ctx.cublas, v.trans().cublas(), v.m(), v.n(), Scalars.of(v.alpha()),
                        p.get(v.a()), v.lda(), p.get(v.x()), v.incx(), Scalars.of(v.beta()), p.get(v.y()), v.incy()),
                        "cublasSgemv " + v, this);
            }
        }
    }

    @Override public String toString() {
        return name + ": x (" + batch + ", " + in + "), W (" + out + ", " + in + "), y (" + batch + ", " + out + ")";
    }
}
