package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.BlasCall.Gemm;
import org.lenet5.backend.cuda.BlasCall.Gemv;

import java.util.ArrayList;
import java.util.List;

import static org.lenet5.backend.cuda.BlasCall.Op.N;
import static org.lenet5.backend.cuda.BlasCall.Op.T;
import static org.lenet5.backend.cuda.BlasCall.Operand.*;

/**
 * The cuBLAS calls of one dense layer y = x W^T + b (PyTorch's Linear), with our row-major buffers.
 *
 * <p>cuBLAS is column-major: a row-major R x C buffer, read column-major with leading dimension C, is the
 * C x R matrix M^T. So with x (batch, in), W (out, in), y (batch, out) row-major, cuBLAS sees
 * X' = x^T (in x batch, ld in), W' = W^T (in x out, ld in), Y' = y^T (out x batch, ld out), and every product is
 * written for the transposes: (AB)^T = B^T A^T.
 */
public final class DenseCalls {

    private DenseCalls() {}

    /** Forward: y = x W^T + b. */
    public static List<BlasCall> forward(int batch, int in, int out) {
        return List.of(
                // y^T (out x batch) = W (out x in) . x^T (in x batch): A = W' = W^T read transposed -> W.
                new Gemm(T, N, out, batch, in, 1f, W, in, X, in, 0f, Y, out),
                // y^T += b . 1^T: rank-1 update, b is out x 1 (ld out), ones is 1 x batch (ld 1).
                new Gemm(N, N, out, batch, 1, 1f, B, out, ONES, 1, 1f, Y, out));
    }

    /** Backward: dW = dy^T x, db = sum over the batch of dy, and dx = dy W when wanted (not for the input). */
    public static List<BlasCall> backward(int batch, int in, int out, boolean withInputGradient) {
        List<BlasCall> calls = new ArrayList<>(3);
        // dW^T (in x out) = x^T (in x batch) . dy (batch x out); dy is stored as dy^T (out x batch, ld out), so op T.
        // beta 0: the gradient is overwritten, never accumulated.
        calls.add(new Gemm(N, T, in, out, batch, 1f, X, in, DY, out, 0f, DW, in));
        // db (out) = dy^T (out x batch, ld out) . ones (batch).
        calls.add(new Gemv(N, out, batch, 1f, DY, out, ONES, 1, 0f, DB, 1));
        if (withInputGradient) {
            // dx^T (in x batch) = W^T (in x out, which is W' as stored, ld in) . dy^T (out x batch, ld out).
            calls.add(new Gemm(N, N, in, batch, out, 1f, W, in, DY, out, 0f, DX, in));
        }
        return calls;
    }
}
