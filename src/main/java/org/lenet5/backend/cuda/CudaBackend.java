package org.lenet5.backend.cuda;

import jcuda.Pointer;
import org.lenet5.backend.Backend;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerSettings;
import org.lenet5.util.UserException;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import static org.lenet5.model.LayerOutput.*;
import static org.lenet5.model.ModelSpec.*;

/**
 * LeNet-5 on an NVIDIA GPU: cuDNN for convolutions, pooling and activations, cuBLAS for the dense layers, and our
 * kernels (native-kernels/) for the batch gather, the softmax cross-entropy and the optimizer.
 *
 * <p>Everything lives on the device and is allocated once here for maxBatch: the dataset bytes (per Dataset
 * instance), the flat parameters, gradients and optimizer state, every layer output and its gradient, the cuDNN
 * workspace. A training step copies only the batch's indices to the device (4 bytes per image) and the two batch
 * totals (loss sum and correct count, 16 bytes) back. Tensors are NCHW, parameters use {@link ParameterLayout}.
 */
public final class CudaBackend implements Backend {

    private final ModelSpec spec;
    private final Preprocessing prep;
    private final ParameterLayout layout;
    private final int maxBatch;
    private final Resources resources = new Resources();

    private final CudaContext ctx;
    private final KernelSet kernels;
    private final BatchGatherKernel gather;
    private final SoftmaxLossKernel softmax;
    private final OptimizerKernel optimizer;
    private final DeviceDatasets datasets;
    private final Workspace workspace;

    private final DeviceBuffer params, grads;           // (P) flat, P = layout.size()
    private final DeviceBuffer state0, state1;          // (P) optimizer state: velocity / Adam's m, Adam's v
    private final Map<LayerOutput, DeviceBuffer> out;   // (maxBatch, per-image size) every layer output
    private final Map<LayerOutput, DeviceBuffer> grad;  // same shapes, gradient of the mean loss (not INPUT, PROBABILITIES)
    private final DeviceBuffer batchIndex;              // (maxBatch) int, dataset row of each batch row
    private final DeviceBuffer rowLoss;                 // (maxBatch) float
    private final DeviceBuffer rowCorrect;              // (maxBatch) int
    private final DeviceBuffer totals;                  // (2) double: loss sum, correct count
    private final DeviceBuffer ones;                    // (maxBatch) float 1, for cuBLAS bias add and bias gradient

    private final CudnnConvolution conv1, conv2;
    private final CudnnActivation act1, act2, act3, act4;
    private final CudnnPooling pool1, pool2;
    private final CublasDense fc1, fc2, fc3;

    private final double[] hostTotals = new double[2];
    private int preparedBatch = -1;
    private int lastCount;
    private int stateInUse;
    private boolean closed;

    /** Probes the machine first; throws the one-line {@link CudaUnavailableException} when the GPU stack is missing. */
    public CudaBackend(ModelSpec spec, Preprocessing prep, int maxBatch, boolean deterministic) {
        this(CudaProbe.probe(), spec, prep, maxBatch, deterministic);
    }

    public CudaBackend(CudaStatus status, ModelSpec spec, Preprocessing prep, int maxBatch, boolean deterministic) {
        if (prep.inputHeight() != spec.inputHeight() || prep.inputWidth() != spec.inputWidth())
            throw new IllegalArgumentException("preprocessing gives " + prep.inputHeight() + "x" + prep.inputWidth()
                    + " but the model takes " + spec.inputHeight() + "x" + spec.inputWidth());
        if (maxBatch < 1) throw new IllegalArgumentException("batch size " + maxBatch);
        CudnnShapes.requireMatches(spec);
        status.requireUsable();
        this.spec = spec;
        this.prep = prep;
        this.layout = new ParameterLayout(spec);
        this.maxBatch = maxBatch;
        try {
            ctx = resources.add(new CudaContext(status.gpu()));
            kernels = resources.add(KernelSet.load(status.kernelPlan(), status.gpu()));
            gather = new BatchGatherKernel(kernels.module(KernelSources.Unit.BATCH_GATHER));
            softmax = new SoftmaxLossKernel(kernels.module(KernelSources.Unit.SOFTMAX_LOSS));
            optimizer = new OptimizerKernel(kernels.module(KernelSources.Unit.OPTIMIZER));
            datasets = resources.add(new DeviceDatasets());
            workspace = resources.add(new Workspace());

            int p = layout.size();
            params = floats("parameters", "(" + p + ")", p);
            grads = floats("gradients", "(" + p + ")", p);
            state0 = floats("optimizer state 0", "(" + p + ")", p);
            state1 = floats("optimizer state 1", "(" + p + ")", p);
            params.clear();
            grads.clear();
            out = new EnumMap<>(LayerOutput.class);
            grad = new EnumMap<>(LayerOutput.class);
            for (LayerOutput l : LayerOutput.values()) {
                long size = (long) maxBatch * spec.outputSize(l);
                out.put(l, floats(l + " output", LayerShapes.describe(spec, l, maxBatch), size));
                if (l != INPUT && l != PROBABILITIES)
                    grad.put(l, floats(l + " gradient", LayerShapes.describe(spec, l, maxBatch), size));
            }
            batchIndex = resources.add(DeviceBuffer.allocate("batch indices", "(" + maxBatch + ")", DeviceBuffer.Type.INT, maxBatch));
            rowLoss = floats("per-image loss", "(" + maxBatch + ")", maxBatch);
            rowCorrect = resources.add(DeviceBuffer.allocate("per-image correct", "(" + maxBatch + ")", DeviceBuffer.Type.INT, maxBatch));
            totals = resources.add(DeviceBuffer.allocate("batch totals", "(2)", DeviceBuffer.Type.DOUBLE, 2));
            ones = floats("ones", "(" + maxBatch + ")", maxBatch);
            float[] one = new float[maxBatch];
            Arrays.fill(one, 1f);
            ones.upload(one, maxBatch);

            int h = spec.inputHeight(), w = spec.inputWidth();
            conv1 = resources.add(new CudnnConvolution(ctx, "conv1", 1, h, w, C1, KERNEL, maxBatch, false, deterministic));
            act1 = activation("act1", CONV1);
            pool1 = resources.add(new CudnnPooling(ctx, "pool1", spec.pooling(), C1, spec.conv1H(), spec.conv1W(), maxBatch, deterministic));
            conv2 = resources.add(new CudnnConvolution(ctx, "conv2", C1, spec.pool1H(), spec.pool1W(), C2, KERNEL, maxBatch, true, deterministic));
            act2 = activation("act2", CONV2);
            pool2 = resources.add(new CudnnPooling(ctx, "pool2", spec.pooling(), C2, spec.conv2H(), spec.conv2W(), maxBatch, deterministic));
            fc1 = new CublasDense(ctx, "fc1", spec.flatSize(), F1);
            act3 = activation("act3", FC1);
            fc2 = new CublasDense(ctx, "fc2", F1, F2);
            act4 = activation("act4", FC2);
            fc3 = new CublasDense(ctx, "fc3", F2, CLASSES);
            prepareBatch(maxBatch);
        } catch (RuntimeException | Error e) {
            try {
                resources.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private DeviceBuffer floats(String name, String shape, long elements) {
        return resources.add(DeviceBuffer.allocate(name, shape, DeviceBuffer.Type.FLOAT, elements));
    }

    private CudnnActivation activation(String name, LayerOutput input) {
        int[] s = LayerShapes.chw(spec, input);
        return resources.add(new CudnnActivation(ctx, name, spec.activation(), s[0], s[1], s[2], maxBatch));
    }

    @Override public String name() { return "cuda"; }
    @Override public ModelSpec spec() { return spec; }
    @Override public Preprocessing preprocessing() { return prep; }
    @Override public ParameterLayout layout() { return layout; }
    @Override public int maxBatchSize() { return maxBatch; }

    /** How the kernels were loaded (for `lenet5 info` and logs). */
    public KernelPath kernelPath() { return kernels.path; }

    /** The GPU in use. */
    public GpuInfo gpu() { return ctx.gpu; }

    @Override
    public void setParameters(float[] flat) {
        begin();
        requireLength(flat, layout.size(), "parameters");
        params.upload(flat, layout.size());
    }

    @Override
    public void getParameters(float[] flat) {
        begin();
        requireLength(flat, layout.size(), "parameters");
        params.download(flat, layout.size());
    }

    @Override
    public void getGradients(float[] flat) {
        begin();
        requireLength(flat, layout.size(), "gradients");
        grads.download(flat, layout.size());
    }

    @Override
    public BatchResult forwardBackward(Dataset data, int[] order, int from, int count) {
        begin();
        DeviceDatasets.OnDevice d = gatherBatch(data, order, from, count);
        forward(count);
        softmax.run(o(LOGITS), d.labels().pointer(), batchIndex.pointer(), count, o(PROBABILITIES), d(LOGITS),
                rowLoss.pointer(), rowCorrect.pointer(), totals.pointer());
        backward(count);
        return readTotals(count);
    }

    @Override
    public BatchResult evaluate(Dataset data, int[] order, int from, int count, float[] probabilities) {
        begin();
        DeviceDatasets.OnDevice d = gatherBatch(data, order, from, count);
        forward(count);
        softmax.run(o(LOGITS), d.labels().pointer(), batchIndex.pointer(), count, o(PROBABILITIES), null,
                rowLoss.pointer(), rowCorrect.pointer(), totals.pointer());
        BatchResult r = readTotals(count);
        if (probabilities != null) out.get(PROBABILITIES).download(probabilities, count * CLASSES);
        return r;
    }

    /** Checks the batch, puts the dataset on the device (once) and this batch's indices next to it, and gathers the input. */
    private DeviceDatasets.OnDevice gatherBatch(Dataset data, int[] order, int from, int count) {
        if (count < 1 || count > maxBatch) throw new IllegalArgumentException("batch of " + count + " (max " + maxBatch + ")");
        if (from < 0 || from + count > order.length)
            throw new IllegalArgumentException("batch [" + from + ", " + (from + count) + ") of an order of " + order.length);
        if (data.rows() != prep.imageRows() || data.cols() != prep.imageCols())
            throw new UserException(data.name() + " has " + data.rows() + "x" + data.cols() + " images but the model was built for "
                    + prep.imageRows() + "x" + prep.imageCols());
        for (int i = from; i < from + count; i++)
            if (order[i] < 0 || order[i] >= data.count())
                throw new IllegalArgumentException("image index " + order[i] + " at position " + i + " is outside "
                        + data.name() + " (" + data.count() + " images)");
        DeviceDatasets.OnDevice d = datasets.get(data);
        batchIndex.upload(order, from, count);
        gather.run(d.pixels().pointer(), batchIndex.pointer(), count, prep, o(INPUT));
        return d;
    }

    /** Sets every descriptor to batch size n; a new n chooses its algorithms and may grow the workspace once. */
    private void prepareBatch(int n) {
        if (n == preparedBatch) return;
        long need = Math.max(conv1.prepare(n, workspace.bytes()), conv2.prepare(n, workspace.bytes()));
        workspace.ensure(need);
        act1.setBatch(n);
        pool1.setBatch(n);
        act2.setBatch(n);
        pool2.setBatch(n);
        act3.setBatch(n);
        act4.setBatch(n);
        preparedBatch = n;
    }

    private Pointer p(ParamTensor t) { return params.at(t.offset()); }

    private Pointer g(ParamTensor t) { return grads.at(t.offset()); }

    private Pointer o(LayerOutput l) { return out.get(l).pointer(); }

    private Pointer d(LayerOutput l) { return grad.get(l).pointer(); }

    private void forward(int n) {
        prepareBatch(n);
        ParameterLayout L = layout;
        Pointer one = ones.pointer();
        conv1.forward(o(INPUT), p(L.conv1W), p(L.conv1B), o(CONV1), workspace);   // (n,1,H,W) -> (n,6,H1,W1)
        act1.forward(o(CONV1), o(ACT1));
        pool1.forward(o(ACT1), o(POOL1));                                          // -> (n,6,P1h,P1w)
        conv2.forward(o(POOL1), p(L.conv2W), p(L.conv2B), o(CONV2), workspace);   // -> (n,16,H2,W2)
        act2.forward(o(CONV2), o(ACT2));
        pool2.forward(o(ACT2), o(POOL2));                                          // -> (n,16,P2h,P2w) = (n, flat)
        fc1.forward(n, o(POOL2), p(L.fc1W), p(L.fc1B), o(FC1), one);               // -> (n,120)
        act3.forward(o(FC1), o(ACT3));
        fc2.forward(n, o(ACT3), p(L.fc2W), p(L.fc2B), o(FC2), one);                // -> (n,84)
        act4.forward(o(FC2), o(ACT4));
        fc3.forward(n, o(ACT4), p(L.fc3W), p(L.fc3B), o(LOGITS), one);             // -> (n,10)
        lastCount = n;
    }

    /** From grad[LOGITS] = (p - onehot)/n back through every layer; every gradient is overwritten. */
    private void backward(int n) {
        ParameterLayout L = layout;
        Pointer one = ones.pointer();
        fc3.backward(n, o(ACT4), p(L.fc3W), d(LOGITS), g(L.fc3W), g(L.fc3B), d(ACT4), one);
        act4.backward(o(FC2), o(ACT4), d(ACT4), d(FC2));
        fc2.backward(n, o(ACT3), p(L.fc2W), d(FC2), g(L.fc2W), g(L.fc2B), d(ACT3), one);
        act3.backward(o(FC1), o(ACT3), d(ACT3), d(FC1));
        fc1.backward(n, o(POOL2), p(L.fc1W), d(FC1), g(L.fc1W), g(L.fc1B), d(POOL2), one);
        pool2.backward(o(POOL2), d(POOL2), o(ACT2), d(ACT2));
        act2.backward(o(CONV2), o(ACT2), d(ACT2), d(CONV2));
        conv2.backwardWeights(o(POOL1), d(CONV2), g(L.conv2W), g(L.conv2B), workspace);
        conv2.backwardData(p(L.conv2W), d(CONV2), d(POOL1), workspace);
        pool1.backward(o(POOL1), d(POOL1), o(ACT1), d(ACT1));
        act1.backward(o(CONV1), o(ACT1), d(ACT1), d(CONV1));
        // The input needs no gradient.
        conv1.backwardWeights(o(INPUT), d(CONV1), g(L.conv1W), g(L.conv1B), workspace);
    }

    /** The step's only device-to-host copy; it also waits for the step to finish. */
    private BatchResult readTotals(int n) {
        totals.download(hostTotals, 2);
        return new BatchResult(hostTotals[0], (int) Math.round(hostTotals[1]), n);
    }

    @Override
    public void update(OptimizerSettings o, float lr, long step) {
        begin();
        int need = o.kind().stateBuffers();
        DeviceBuffer[] state = {state0, state1};
        for (int b = stateInUse; b < need; b++) state[b].clear();  // state starts at zero, as in OptimizerMath's callers
        stateInUse = Math.max(stateInUse, need);
        optimizer.run(o, lr, step, layout.size(), params.pointer(), grads.pointer(), state0.pointer(), state1.pointer());
    }

    @Override
    public float[] readOutput(LayerOutput which) {
        begin();
        float[] r = new float[lastCount * spec.outputSize(which)];
        out.get(which).download(r, r.length);
        return r;
    }

    /** The gradient of the mean loss with respect to a layer output, after forwardBackward (tests). */
    public float[] readGradient(LayerOutput which) {
        begin();
        DeviceBuffer b = grad.get(which);
        if (b == null) throw new IllegalArgumentException("no gradient is kept for " + which);
        float[] r = new float[lastCount * spec.outputSize(which)];
        b.download(r, r.length);
        return r;
    }

    @Override
    public float[][] getOptimizerState() {
        begin();
        DeviceBuffer[] state = {state0, state1};
        float[][] r = new float[stateInUse][layout.size()];
        for (int s = 0; s < stateInUse; s++) state[s].download(r[s], layout.size());
        return r;
    }

    @Override
    public void setOptimizerState(float[][] state) {
        begin();
        if (state.length > 2) throw new IllegalArgumentException(state.length + " optimizer state buffers (at most 2)");
        DeviceBuffer[] buffers = {state0, state1};
        for (int s = 0; s < state.length; s++) {
            requireLength(state[s], layout.size(), "optimizer state " + s);
            buffers[s].upload(state[s], layout.size());
        }
        stateInUse = state.length;
    }

    private void begin() {
        if (closed) throw new IllegalStateException("the cuda backend is closed");
        ctx.makeCurrent();
    }

    private static void requireLength(float[] a, int n, String what) {
        if (a.length < n) throw new IllegalArgumentException(what + ": array of " + a.length + " for " + n + " values");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            ctx.makeCurrent();
        } finally {
            resources.close();
        }
    }
}
