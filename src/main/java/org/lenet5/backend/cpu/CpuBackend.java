package org.lenet5.backend.cpu;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BatchResult;
import org.lenet5.data.Dataset;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerMath;
import org.lenet5.train.OptimizerSettings;

import java.util.Arrays;

import static org.lenet5.backend.cpu.ChunkActivations.buffer;
import static org.lenet5.model.ModelSpec.CLASSES;

/**
 * The fast float32 backend: data-parallel over a persistent team of threads, vector kernels (Vector API) for the
 * layers, nothing allocated per step.
 *
 * <pre>
 * forwardBackward   each thread: its slice of the batch, in chunks of CHUNK images, forward + backward,
 *                   weight gradients into its own buffer
 * update            each thread: one range of the flat parameters: sum the threads' gradients in thread order,
 *                   the optimizer rule (OptimizerMath), refresh the transposed dense weights in that range
 * evaluate          each thread: forward over its slice
 * </pre>
 * Deterministic: the batch is split by position (thread t takes [t*n/T, (t+1)*n/T)), gradients are reduced in
 * a fixed order, and every kernel computes each value by a fixed sequence of operations. So the same inputs and
 * thread count give bit-identical results, and the forward pass of one image (evaluate's probabilities, loss and
 * accuracy) does not depend on the batch it is in nor on the thread count.
 *
 * <p>Memory: every image of maxBatch keeps its forward pass (for the backward pass and readOutput), about
 * 56 KB for flux 28x28 and 110 KB for classic 32x32, plus per-thread scratch for one chunk (a few MB).
 *
 * <p>Needs the JVM option {@code --add-modules jdk.incubator.vector}.
 */
public final class CpuBackend implements Backend {

    /**
     * Images per chunk: large enough for long vector loops, small enough for a chunk's buffers to stay cached.
     * Fixed, so where a slice is cut (and so the order gradients add up in) never depends on maxBatch.
     */
    static final int CHUNK = 16;

    private final ModelSpec spec;
    private final Preprocessing prep;
    private final ParameterLayout layout;
    private final int maxBatch, size;

    private final float[] params, grads;           // (size + PAD)
    private float[] state0, state1;                // optimizer state (size + PAD), created on first update
    /** Transposed dense weights (in, out), so the forward product streams along the outputs; kept in step with params. */
    private final float[] fc1T, fc2T, fc3T;

    private final WorkerPool pool;
    private final SliceWorker[] workers;
    private boolean gradientsReduced = true;
    private int lastCount;
    private boolean closed;

    // arguments of the task being run (set by the caller before pool.run, read by every member)
    private Dataset taskData;
    private int[] taskOrder;
    private int taskFrom, taskCount;
    private OptimizerSettings taskOptimizer;
    private float taskLr;
    private long taskStep;
    private final WorkerPool.Task forwardBackwardTask = this::forwardBackwardShare;
    private final WorkerPool.Task evaluateTask = this::evaluateShare;
    private final WorkerPool.Task updateTask = this::updateShare;
    private final WorkerPool.Task reduceTask = this::reduceShare;

    /**
     * @param maxBatch largest batch forwardBackward or evaluate will be given
     * @param threads  threads to use (the caller's own thread is one of them)
     */
    public CpuBackend(ModelSpec spec, Preprocessing prep, int maxBatch, int threads) {
        if (prep.inputHeight() != spec.inputHeight() || prep.inputWidth() != spec.inputWidth())
            throw new IllegalArgumentException("preprocessing gives " + prep.inputHeight() + "x" + prep.inputWidth()
                    + " but the model takes " + spec.inputHeight() + "x" + spec.inputWidth());
        if (maxBatch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + maxBatch);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        // conv1Forward's last vector block may run 2L-1 positions past an image's valid span, into its last 4 rows.
        if (4 * spec.inputWidth() + 4 < 2 * Gemm.L)
            throw new IllegalArgumentException("input width " + spec.inputWidth() + " is too narrow for "
                    + Gemm.L + "-lane vectors");
        this.spec = spec;
        this.prep = prep;
        this.layout = new ParameterLayout(spec);
        this.maxBatch = maxBatch;
        this.size = layout.size();
        this.params = buffer(size);
        this.grads = buffer(size);
        this.fc1T = buffer(layout.fc1W.size());
        this.fc2T = buffer(layout.fc2W.size());
        this.fc3T = buffer(layout.fc3W.size());
        int team = Math.min(threads, maxBatch);   // more threads than images would only idle
        int sliceCapacity = (maxBatch + team - 1) / team;
        this.workers = new SliceWorker[team];
        for (int t = 0; t < team; t++)
            workers[t] = new SliceWorker(spec, prep, layout, sliceCapacity, CHUNK, params, fc1T, fc2T, fc3T);
        this.pool = new WorkerPool(team, "lenet5-cpu");
    }

    @Override public String name() { return "cpu"; }
    @Override public ModelSpec spec() { return spec; }
    @Override public Preprocessing preprocessing() { return prep; }
    @Override public ParameterLayout layout() { return layout; }
    @Override public int maxBatchSize() { return maxBatch; }

    /** Threads this backend runs on (at most the batch size). */
    public int threads() { return workers.length; }

    @Override
    public void setParameters(float[] flat) {
        checkLength("parameters", flat.length);
        System.arraycopy(flat, 0, params, 0, size);
        refreshTransposed(0, size);
    }

    @Override
    public void getParameters(float[] flat) {
        checkLength("parameters", flat.length);
        System.arraycopy(params, 0, flat, 0, size);
    }

    @Override
    public void getGradients(float[] flat) {
        checkLength("gradients", flat.length);
        if (!gradientsReduced) {
            pool.run(reduceTask);
            gradientsReduced = true;
        }
        System.arraycopy(grads, 0, flat, 0, size);
    }

    // ---------------------------------------------------------------- forward and backward

    @Override
    public BatchResult forwardBackward(Dataset data, int[] order, int from, int count) {
        begin(data, order, from, count);
        pool.run(forwardBackwardTask);
        gradientsReduced = false;
        return result(count);
    }

    private void forwardBackwardShare(int t) {
        int n = taskCount, team = workers.length;
        int start = t * n / team, end = (t + 1) * n / team;
        workers[t].forwardBackward(taskData, taskOrder, taskFrom, start, end - start, n);
    }

    @Override
    public BatchResult evaluate(Dataset data, int[] order, int from, int count, float[] probabilities) {
        begin(data, order, from, count);
        pool.run(evaluateTask);
        if (probabilities != null) {
            for (SliceWorker w : workers)
                for (int i = 0; i < w.count; i++)
                    w.chunkOf(i).copyOutput(LayerOutput.PROBABILITIES, w.indexInChunk(i), probabilities,
                            (w.start + i) * CLASSES);
        }
        return result(count);
    }

    private void evaluateShare(int t) {
        int n = taskCount, team = workers.length;
        int start = t * n / team, end = (t + 1) * n / team;
        workers[t].evaluate(taskData, taskOrder, taskFrom, start, end - start);
    }

    private void begin(Dataset data, int[] order, int from, int count) {
        if (closed) throw new IllegalStateException("the cpu backend is closed");
        if (count < 1 || count > maxBatch)
            throw new IllegalArgumentException("batch of " + count + " (max " + maxBatch + ")");
        if (from < 0 || from + count > order.length)
            throw new IllegalArgumentException("batch [" + from + ", " + (from + count) + ") outside an order of "
                    + order.length);
        if (data.rows() != prep.imageRows() || data.cols() != prep.imageCols())
            throw new IllegalArgumentException(data.name() + " holds " + data.rows() + "x" + data.cols()
                    + " images but the model was built for " + prep.imageRows() + "x" + prep.imageCols());
        taskData = data;
        taskOrder = order;
        taskFrom = from;
        taskCount = count;
        lastCount = count;
    }

    private BatchResult result(int count) {
        double loss = 0;
        int correct = 0;
        for (SliceWorker w : workers) {
            loss += w.lossSum;
            correct += w.correct;
        }
        taskData = null;
        taskOrder = null;
        return new BatchResult(loss, correct, count);
    }

    // ---------------------------------------------------------------- optimizer

    @Override
    public void update(OptimizerSettings optimizer, float lr, long step) {
        if (closed) throw new IllegalStateException("the cpu backend is closed");
        int buffers = optimizer.kind().stateBuffers();
        if (buffers >= 1 && state0 == null) state0 = buffer(size);
        if (buffers >= 2 && state1 == null) state1 = buffer(size);
        taskOptimizer = optimizer;
        taskLr = lr;
        taskStep = step;
        pool.run(updateTask);
        gradientsReduced = true;
    }

    /** Member t's range of the flat parameters, cut at multiples of 16 floats (a cache line). */
    private int rangeStart(int t) {
        return t == workers.length ? size : (int) ((long) size * t / workers.length) & ~15;
    }

    private void updateShare(int t) {
        int from = rangeStart(t), to = rangeStart(t + 1);
        if (!gradientsReduced) reduce(from, to);
        OptimizerMath.update(taskOptimizer, taskLr, taskStep, params, grads, state0, state1, from, to);
        refreshTransposed(from, to);
    }

    private void reduceShare(int t) {
        reduce(rangeStart(t), rangeStart(t + 1));
    }

    /** grads[from, to) = the workers' gradients added in worker order (workers without images hold zeros). */
    private void reduce(int from, int to) {
        System.arraycopy(workers[0].grad, from, grads, from, to - from);
        for (int w = 1; w < workers.length; w++) {
            float[] g = workers[w].grad;
            for (int i = from; i < to; i++) grads[i] += g[i];
        }
    }

    /** Copies params[from, to) that belong to a dense weight into its transposed copy. */
    private void refreshTransposed(int from, int to) {
        transpose(layout.fc1W, fc1T, from, to);
        transpose(layout.fc2W, fc2T, from, to);
        transpose(layout.fc3W, fc3T, from, to);
    }

    private void transpose(ParamTensor weight, float[] transposed, int from, int to) {
        int lo = Math.max(from, weight.offset()), hi = Math.min(to, weight.end());
        if (lo >= hi) return;
        int in = weight.fanIn(), out = weight.size() / in;   // (out, in); shape() would allocate a copy
        int r = (lo - weight.offset()) / in, k = (lo - weight.offset()) % in;
        for (int i = lo; i < hi; i++) {
            transposed[k * out + r] = params[i];
            if (++k == in) {
                k = 0;
                r++;
            }
        }
    }

    @Override
    public float[][] getOptimizerState() {
        float[][] src = state1 != null ? new float[][]{state0, state1} : state0 != null ? new float[][]{state0} : new float[0][];
        float[][] r = new float[src.length][];
        for (int s = 0; s < src.length; s++) r[s] = Arrays.copyOf(src[s], size);
        return r;
    }

    @Override
    public void setOptimizerState(float[][] state) {
        for (float[] s : state) checkLength("optimizer state", s.length);
        state0 = state.length > 0 ? padded(state[0]) : null;
        state1 = state.length > 1 ? padded(state[1]) : null;
    }

    private float[] padded(float[] s) {
        float[] b = buffer(size);
        System.arraycopy(s, 0, b, 0, size);
        return b;
    }

    private void checkLength(String what, int length) {
        if (length != size)
            throw new IllegalArgumentException(what + " of " + length + " floats, the " + spec + " network has " + size);
    }

    // ---------------------------------------------------------------- inspection

    @Override
    public float[] readOutput(LayerOutput which) {
        int per = spec.outputSize(which);
        float[] r = new float[lastCount * per];
        for (SliceWorker w : workers)
            for (int i = 0; i < w.count; i++)
                w.chunkOf(i).copyOutput(which, w.indexInChunk(i), r, (w.start + i) * per);
        return r;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close();
    }
}
