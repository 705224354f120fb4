package org.lenet5.backend.cuda;

/**
 * One column-major BLAS call, as data: the dense layers' cuBLAS calls are built as these records (see
 * {@link DenseCalls}) and then executed by {@link CublasDense} on the device or by a column-major emulator in
 * the tests, so the row-major/column-major mapping is checked without a GPU.
 */
public sealed interface BlasCall {

    /** cuBLAS transpose flags (CUBLAS_OP_N = 0, CUBLAS_OP_T = 1). */
    enum Op {
        N(0), T(1);

        private final int cublas;

        Op(int cublas) { this.cublas = cublas; }

        public int cublas() { return cublas; }
    }

    /** The device buffers a dense layer's calls read and write. */
    enum Operand {
        /** layer input, row-major (batch, in) */
        X,
        /** weight, row-major (out, in) */
        W,
        /** bias (out) */
        B,
        /** output, row-major (batch, out) */
        Y,
        /** gradient of the output, (batch, out) */
        DY,
        /** gradient of the input, (batch, in) */
        DX,
        /** weight gradient, (out, in) */
        DW,
        /** bias gradient, (out) */
        DB,
        /** a vector of ones, (batch) */
        ONES
    }

    /** C = alpha op(A) op(B) + beta C with C m x n, op(A) m x k, op(B) k x n, all column-major. */
    record Gemm(Op transA, Op transB, int m, int n, int k, float alpha, Operand a, int lda, Operand b, int ldb,
                float beta, Operand c, int ldc) implements BlasCall {}

    /** y = alpha op(A) x + beta y with A m x n column-major. */
    record Gemv(Op trans, int m, int n, float alpha, Operand a, int lda, Operand x, int incx,
                float beta, Operand y, int incy) implements BlasCall {}
}
