package org.lenet5.backend.cuda;

import jcuda.Pointer;

/**
 * Host pointers to the alpha/beta scaling factors cuDNN and cuBLAS read during the call (host pointer mode;
 * float for float tensors). A Java array is pinned only for the call, which is all these need.
 */
final class Scalars {

    private Scalars() {}

    static Pointer of(float value) { return Pointer.to(new float[]{value}); }

    static Pointer one() { return of(1f); }

    static Pointer zero() { return of(0f); }
}
