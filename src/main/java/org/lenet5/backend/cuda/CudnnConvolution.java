package org.lenet5.backend.cuda;

import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import org.lenet5.backend.cuda.ConvAlgorithmPicker.Candidate;
import org.lenet5.backend.cuda.ConvAlgorithmPicker.Choice;
import org.lenet5.backend.cuda.ConvAlgorithmPicker.Pass;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
import static jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

/**
 * A valid (no padding), stride-1 convolution as PyTorch's conv2d computes it (cross-correlation), with bias:
 * <pre>
 * x (N, C, H, W)    weight (K, C, r, r)    bias (K)    y (N, K, H - r + 1, W - r + 1)
 * forward:          y = conv(x, weight) + bias                     cudnnConvolutionForward + cudnnAddTensor
 * backward weights: dweight = corr(x, dy), dbias = sum_{n,h,w} dy   cudnnConvolutionBackwardFilter (x, dy) + Bias (dy)
 * backward data:    dx = full-conv(dy, weight)                      cudnnConvolutionBackwardData (weight, dy)
 * </pre>
 * All with beta = 0: gradients are overwritten, not accumulated. The math type is FMA (no TF32 tensor cores) so
 * results keep float32 accuracy. Algorithms come from cudnnGet*Algorithm_v7 once per batch size.
 */
final class CudnnConvolution implements AutoCloseable {

    /** Workspace an algorithm may use without question; beyond it a smaller-workspace algorithm is preferred. */
    static final long SOFT_WORKSPACE_LIMIT = 256L * 1024 * 1024;

    /** The algorithms for one batch size and the workspace they need together (the largest of the three). */
    record Algorithms(int forward, int backwardFilter, int backwardData, long workspace) {}

    private final CudaContext ctx;
    private final String name;
    private final boolean withDataGradient, deterministic;
    private final TensorDesc x, y, bias;  // x (N, C, H, W), y (N, K, H-r+1, W-r+1), bias (1, K, 1, 1)
    private final int k, c, r;
    private final cudnnFilterDescriptor filter = new cudnnFilterDescriptor();           // (K, C, r, r)
    private final cudnnConvolutionDescriptor convolution = new cudnnConvolutionDescriptor();
    private final Map<Integer, Algorithms> byBatch = new HashMap<>();
    private Algorithms current;
    private final Resources resources = new Resources();

    /**
     * @param withDataGradient whether backwardData is used (not for the first layer: the input needs no gradient)
     */
    CudnnConvolution(CudaContext ctx, String name, int c, int h, int w, int k, int r, int maxBatch,
                     boolean withDataGradient, boolean deterministic) {
        this.ctx = ctx;
        this.name = name;
        this.c = c;
        this.k = k;
        this.r = r;
        this.withDataGradient = withDataGradient;
        this.deterministic = deterministic;
        try {
            x = resources.add(new TensorDesc(maxBatch, c, h, w));
            int oh = CudnnShapes.convolutionOutput(h, r, 0, 1, 1), ow = CudnnShapes.convolutionOutput(w, r, 0, 1, 1);
            y = resources.add(new TensorDesc(maxBatch, k, oh, ow));
            bias = resources.add(new TensorDesc(1, k, 1, 1));
            CudaErrors.cudnn(JCudnn.cudnnCreateFilterDescriptor(filter), "cudnnCreateFilterDescriptor", this);
            resources.add(() -> CudaErrors.cudnn(JCudnn.cudnnDestroyFilterDescriptor(filter), "cudnnDestroyFilterDescriptor", this));
            CudaErrors.cudnn(JCudnn.cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, k, c, r, r),
                    "cudnnSetFilter4dDescriptor", this);
            CudaErrors.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(convolution), "cudnnCreateConvolutionDescriptor", this);
            resources.add(() -> CudaErrors.cudnn(JCudnn.cudnnDestroyConvolutionDescriptor(convolution),
                    "cudnnDestroyConvolutionDescriptor", this));
            CudaErrors.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(convolution, 0, 0, 1, 1, 1, 1,
                    CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor", this);
            CudaErrors.cudnn(JCudnn.cudnnSetConvolutionMathType(convolution, CUDNN_FMA_MATH), "cudnnSetConvolutionMathType", this);
            checkOutputShape(oh, ow);
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /** cuDNN's own output shape must be the one ModelSpec (and CudnnShapes) computes. */
    private void checkOutputShape(int oh, int ow) {
        int[] n = new int[1], kk = new int[1], hh = new int[1], ww = new int[1];
        CudaErrors.cudnn(JCudnn.cudnnGetConvolution2dForwardOutputDim(convolution, x.descriptor, filter, n, kk, hh, ww),
                "cudnnGetConvolution2dForwardOutputDim", this);
        if (kk[0] != k || hh[0] != oh || ww[0] != ow)
            throw new IllegalStateException(name + ": cuDNN computes output (" + n[0] + ", " + kk[0] + ", " + hh[0] + ", "
                    + ww[0] + ") but the model has " + y);
    }

    /**
     * Sets the batch size for the following calls, choosing the algorithms the first time this size is seen.
     *
     * @param workspaceNow the workspace already allocated; algorithms that fit it (or the soft limit) are preferred
     * @return the workspace bytes this batch size's algorithms need
     */
    long prepare(int n, long workspaceNow) {
        x.setBatch(n);
        y.setBatch(n);
        current = byBatch.get(n);
        if (current == null) {
            current = choose(Math.max(workspaceNow, SOFT_WORKSPACE_LIMIT));
            byBatch.put(n, current);
        }
        return current.workspace();
    }

    Algorithms algorithms() { return current; }

    private Algorithms choose(long softLimit) {
        int[] returned = new int[1];

        cudnnConvolutionFwdAlgoPerf[] fwd = new cudnnConvolutionFwdAlgoPerf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
        for (int i = 0; i < fwd.length; i++) fwd[i] = new cudnnConvolutionFwdAlgoPerf();
        CudaErrors.cudnn(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(ctx.cudnn, x.descriptor, filter, convolution,
                y.descriptor, fwd.length, returned, fwd), "cudnnGetConvolutionForwardAlgorithm_v7", this);
        List<Candidate> fc = new ArrayList<>();
        for (int i = 0; i < returned[0]; i++)
            if (fwd[i] != null) fc.add(new Candidate(fwd[i].algo, fwd[i].status, fwd[i].memory, fwd[i].determinism, fwd[i].mathType));
        Choice f = ConvAlgorithmPicker.pick(Pass.FORWARD, fc, deterministic, softLimit, shapes());
        long[] size = new long[1];
        CudaErrors.cudnn(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(ctx.cudnn, x.descriptor, filter, convolution,
                y.descriptor, f.algo(), size), "cudnnGetConvolutionForwardWorkspaceSize", this);
        long workspace = size[0];

        cudnnConvolutionBwdFilterAlgoPerf[] bf = new cudnnConvolutionBwdFilterAlgoPerf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
        for (int i = 0; i < bf.length; i++) bf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        // Backward filter takes (x, dy) -> dw; dy has y's descriptor.
        CudaErrors.cudnn(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(ctx.cudnn, x.descriptor, y.descriptor,
                convolution, filter, bf.length, returned, bf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7", this);
        List<Candidate> bfc = new ArrayList<>();
        for (int i = 0; i < returned[0]; i++)
            if (bf[i] != null) bfc.add(new Candidate(bf[i].algo, bf[i].status, bf[i].memory, bf[i].determinism, bf[i].mathType));
        Choice b = ConvAlgorithmPicker.pick(Pass.BACKWARD_FILTER, bfc, deterministic, softLimit, shapes());
        CudaErrors.cudnn(JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(ctx.cudnn, x.descriptor, y.descriptor,
                convolution, filter, b.algo(), size), "cudnnGetConvolutionBackwardFilterWorkspaceSize", this);
        workspace = Math.max(workspace, size[0]);

        int dataAlgo = -1;
        if (withDataGradient) {
            cudnnConvolutionBwdDataAlgoPerf[] bd = new cudnnConvolutionBwdDataAlgoPerf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
            for (int i = 0; i < bd.length; i++) bd[i] = new cudnnConvolutionBwdDataAlgoPerf();
            // Backward data takes (w, dy) -> dx.
            CudaErrors.cudnn(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(ctx.cudnn, filter, y.descriptor,
                    convolution, x.descriptor, bd.length, returned, bd), "cudnnGetConvolutionBackwardDataAlgorithm_v7", this);
            List<Candidate> bdc = new ArrayList<>();
            for (int i = 0; i < returned[0]; i++)
                if (bd[i] != null) bdc.add(new Candidate(bd[i].algo, bd[i].status, bd[i].memory, bd[i].determinism, bd[i].mathType));
            Choice d = ConvAlgorithmPicker.pick(Pass.BACKWARD_DATA, bdc, deterministic, softLimit, shapes());
            CudaErrors.cudnn(JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(ctx.cudnn, filter, y.descriptor,
                    convolution, x.descriptor, d.algo(), size), "cudnnGetConvolutionBackwardDataWorkspaceSize", this);
            workspace = Math.max(workspace, size[0]);
            dataAlgo = d.algo();
        }
        return new Algorithms(f.algo(), b.algo(), dataAlgo, workspace);
    }

    /** y = conv(x, weight) + bias. */
    void forward(Pointer xData, Pointer weight, Pointer biasData, Pointer yData, Workspace ws) {
        CudaErrors.cudnn(JCudnn.cudnnConvolutionForward(ctx.cudnn, Scalars.one(), x.descriptor, xData, filter, weight,
                convolution, current.forward(), ws.pointer(), ws.bytes(), Scalars.zero(), y.descriptor, yData),
                "cudnnConvolutionForward", this);
        // beta = 1: y += bias broadcast over (N, -, H, W).
        CudaErrors.cudnn(JCudnn.cudnnAddTensor(ctx.cudnn, Scalars.one(), bias.descriptor, biasData, Scalars.one(),
                y.descriptor, yData), "cudnnAddTensor (conv bias)", this);
    }

    /** dweight = corr(x, dy), dbias = sum of dy over (N, H, W); both overwritten. */
    void backwardWeights(Pointer xData, Pointer dy, Pointer dWeight, Pointer dBias, Workspace ws) {
        CudaErrors.cudnn(JCudnn.cudnnConvolutionBackwardFilter(ctx.cudnn, Scalars.one(), x.descriptor, xData,
                y.descriptor, dy, convolution, current.backwardFilter(), ws.pointer(), ws.bytes(), Scalars.zero(),
                filter, dWeight), "cudnnConvolutionBackwardFilter", this);
        CudaErrors.cudnn(JCudnn.cudnnConvolutionBackwardBias(ctx.cudnn, Scalars.one(), y.descriptor, dy, Scalars.zero(),
                bias.descriptor, dBias), "cudnnConvolutionBackwardBias", this);
    }

    /** dx from dy and the weights; overwritten. */
    void backwardData(Pointer weight, Pointer dy, Pointer dx, Workspace ws) {
        if (!withDataGradient) throw new IllegalStateException(name + " was built without an input gradient");
        CudaErrors.cudnn(JCudnn.cudnnConvolutionBackwardData(ctx.cudnn, Scalars.one(), filter, weight, y.descriptor, dy,
                convolution, current.backwardData(), ws.pointer(), ws.bytes(), Scalars.zero(), x.descriptor, dx),
                "cudnnConvolutionBackwardData", this);
    }

    @Override
    public void close() { resources.close(); }

    /** The layer and its shapes at the batch size the descriptors are set to, for messages. */
    private String shapes() {
        return name + ": x " + x + ", weight (" + k + ", " + c + ", " + r + ", " + r + "), y " + y;
    }

    @Override
    public String toString() {
        return shapes()
                + (current == null ? "" : ", algorithms fwd " + current.forward() + " bwd-filter " + current.backwardFilter()
                + (withDataGradient ? " bwd-data " + current.backwardData() : "") + ", workspace " + Bytes.format(current.workspace()));
    }
}
