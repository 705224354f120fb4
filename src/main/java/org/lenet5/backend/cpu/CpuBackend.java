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
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.lenet5.backend.cpu.ChunkActivations.buffer;
import static org.lenet5.model.ModelSpec.CLASSES;

/**
 * The fast float32 backend: data-parallel over a persistent team of threads, vector kernels (Vector API) for the
 * layers, nothing allocated per step.
 *
 * <pre>
 * forwardBackward   the batch is cut into chunks of CHUNK images (chunk k: images [k*CHUNK, (k+1)*CHUNK));
 *                   each thread claims chunks until none is left, its own run of them first (see runShare):
 *                   forward + backward, gradients into the chunk's own buffer, except the dense layers'
 *                   weight gradients: the chunk keeps its dense layers' inputs and output gradients instead.
 *                   A thread left with no chunk to claim adds the finished chunks, in chunk order, into the
 *                   update's gradient while the others finish theirs (see addFinishedChunks)
 * update            each thread: one range of the flat parameters (see cuts): the dense weight gradients there as
 *                   one product over the whole batch (dy^T x), the others as the chunks' gradients summed in chunk
 *                   order (from the first chunk not yet added); the optimizer rule (OptimizerMath); refresh the
 *                   transposed dense weights in that range
 * evaluate          each thread: forward over the chunks it claims
 * </pre>
 * Deterministic: a chunk's results do not depend on which thread ran it, gradients and losses are summed in
 * chunk order, the dense weight gradients by one fused multiply-add per image in batch order, and every kernel
 * computes each value by a fixed sequence of operations. So the same inputs give
 * bit-identical results whatever the thread count, and the forward pass of one image (evaluate's probabilities,
 * loss and accuracy) does not depend on the batch it is in. Claiming chunks (rather than a fixed slice per
 * thread) keeps both threads busy when one of them starts late or is slowed by other work on the machine.
 * Nothing is shared between threads during a task but the read-only parameters, the claims and the
 * chunks' results, each written by the one thread that claimed the chunk, and during forwardBackward the update's
 * gradient ranges, each written by the one member holding its adding flag (see addFinishedChunks).
 *
 * <p>Memory: every image of maxBatch keeps its forward pass (for the backward pass and readOutput), about
 * 56 KB for flux 28x28 and 110 KB for classic 32x32, plus per-thread scratch for one chunk (a few MB) and, once
 * training starts, one gradient buffer (4 bytes per parameter, 178 KB) per chunk of the largest batch trained.
 *
 * <p>Needs the JVM option {@code --add-modules jdk.incubator.vector}.
 */
public final class CpuBackend implements Backend {

    /**
     * Images per chunk: large enough for long vector loops, small enough for a chunk's buffers to stay cached and
     * for a batch of 32 to give each of 2 threads work to claim. Fixed, so where chunks are cut (and so the order
     * gradients add up in) never depends on maxBatch or the thread count.
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
    private final ChunkWorker[] workers;            // one per thread
    private final ChunkActivations[] chunks;        // (maxBatch / CHUNK rounded up): chunk k of the last batch
    /** Per dense layer, each chunk's input (n, in) and output gradient (n, out), and the chunks' image counts. */
    private final float[][] fc1X, fc1Dy, fc2X, fc2Dy, fc3X, fc3Dy;
    private final int[] chunkCounts;
    /** Member t updates the flat parameters [cuts[t], cuts[t+1]). */
    private final int[] cuts;
    private float[][] chunkGrads = new float[0][];  // chunk k's gradient (size + PAD), grown on demand
    /** claims[k] = the task that took chunk k (see claim); taskId counts tasks. */
    private final AtomicLongArray claims;
    /** finished[k] = the task whose chunk k is done: its results are written (set after them, so read it first). */
    private final AtomicLongArray finished;
    /** Range t of cuts: how many chunks of the last batch grads[cuts[t], cuts[t+1]) already holds, in chunk order. */
    private final int[] chunksAdded;
    /** 1 while a member adds a chunk into range t during forwardBackward (see addFinishedChunks). */
    private final AtomicIntegerArray adding;
    /** Whether idle members add finished chunks early (package-private switch, for the tests and A/B timing). */
    final boolean addEarly;
    /** How many (range, chunk) additions members made early, since the backend was built (for the tests). */
    final AtomicLong earlyAdds = new AtomicLong();
    private long taskId;
    private boolean gradientsReduced = true;
    private int lastCount, gradChunks;
    private boolean closed;

    // arguments of the task being run (set by the caller before pool.run, read by every member)
    private Dataset taskData;
    private int[] taskOrder;
    private int taskFrom, taskCount, taskChunks;
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
        this(spec, prep, maxBatch, threads, true);
    }

    /** @param addEarly whether a member with no chunk left adds the finished ones into the gradient (same result) */
    CpuBackend(ModelSpec spec, Preprocessing prep, int maxBatch, int threads, boolean addEarly) {
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
        int chunkCount = (maxBatch + CHUNK - 1) / CHUNK, chunkSize = Math.min(CHUNK, maxBatch);
        this.chunks = new ChunkActivations[chunkCount];
        this.claims = new AtomicLongArray(chunkCount);   // all 0: taskId starts at 1
        this.finished = new AtomicLongArray(chunkCount);
        this.chunksAdded = new int[team];
        this.adding = new AtomicIntegerArray(team);
        this.addEarly = addEarly;
        for (int k = 0; k < chunkCount; k++) chunks[k] = new ChunkActivations(spec, Math.min(CHUNK, maxBatch - k * CHUNK));
        this.fc1X = new float[chunkCount][];
        this.fc1Dy = new float[chunkCount][];
        this.fc2X = new float[chunkCount][];
        this.fc2Dy = new float[chunkCount][];
        this.fc3X = new float[chunkCount][];
        this.fc3Dy = new float[chunkCount][];
        for (int k = 0; k < chunkCount; k++) {
            fc1X[k] = chunks[k].pool2;
            fc1Dy[k] = chunks[k].dFc1;
            fc2X[k] = chunks[k].act3;
            fc2Dy[k] = chunks[k].dFc2;
            fc3X[k] = chunks[k].act4;
            fc3Dy[k] = chunks[k].dLogits;
        }
        this.chunkCounts = new int[chunkCount];
        this.cuts = new int[team + 1];
        for (int t = 0; t <= team; t++) cuts[t] = cut(t, team);
        this.workers = new ChunkWorker[team];
        for (int t = 0; t < team; t++)
            workers[t] = new ChunkWorker(spec, prep, layout, chunkSize, params, fc1T, fc2T, fc3T);
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
        if (chunkGrads.length < taskChunks) growGradients(taskChunks);
        for (int k = 0; k < taskChunks; k++) chunkCounts[k] = Math.min(CHUNK, count - k * CHUNK);
        Arrays.fill(chunksAdded, 0);
        gradChunks = taskChunks;
        pool.run(forwardBackwardTask);
        gradientsReduced = false;
        return result();
    }

    /** Once per larger batch, never per step: one gradient buffer per chunk. */
    private void growGradients(int count) {
        float[][] g = Arrays.copyOf(chunkGrads, count);
        for (int k = chunkGrads.length; k < count; k++) g[k] = buffer(size);
        chunkGrads = g;
    }

    private void forwardBackwardShare(int t) { runShare(t, true); }

    /**
     * Member t's chunks: first its own, the t-th of team-many equal runs (as a fixed slice would, so a member meets
     * the same chunks, whose buffers its caches hold, step after step), then any left unclaimed, from the last
     * chunk down (the own chunks of a member that started late or runs slowly).
     */
    private void runShare(int t, boolean train) {
        int team = workers.length;
        for (int k = t * taskChunks / team, end = (t + 1) * taskChunks / team; k < end; k++)
            if (claim(k)) runChunk(t, k, train);
        for (int k = taskChunks - 1; k >= 0; k--)
            if (claim(k)) runChunk(t, k, train);
        if (train && addEarly && team > 1) addFinishedChunks(t);
    }

    private void runChunk(int t, int k, boolean train) {
        int first = k * CHUNK, n = Math.min(CHUNK, taskCount - first);
        if (train) workers[t].forwardBackward(chunks[k], chunkGrads[k], taskData, taskOrder, taskFrom + first, n, taskCount);
        else workers[t].evaluate(chunks[k], taskData, taskOrder, taskFrom + first, n);
        finished.set(k, taskId);   // after the chunk's results: a member that reads it sees them
    }

    /**
     * For a member with no chunk left to claim while others still run theirs (at batch 128 on 2 threads the one
     * that finishes first waits 80-275 us per step for the other's last chunk): adds the finished chunks into the
     * update's gradient, one range of cuts and one chunk at a time, each range's chunks in chunk order (only the
     * finished leading chunks), others' ranges first (their owners are the ones still busy). The update then starts
     * each range from the first chunk not yet added; the sums are the same floats as when all chunks are added in
     * the update (the same operations in the same order). Returns when nothing more can be added now.
     */
    private void addFinishedChunks(int t) {
        int team = workers.length;
        while (true) {
            int done = 0;
            while (done < taskChunks && finished.get(done) == taskId) done++;
            if (done == taskChunks) return;   // nothing left to wait for: the update adds the rest
            boolean added = false;
            for (int i = 1; i <= team && !added; i++) {
                int r = (t + i) % team;        // t itself last
                if (chunksAdded[r] >= done || !adding.compareAndSet(r, 0, 1)) continue;
                int q = chunksAdded[r];
                if (q < done) {
                    gradient(cuts[r], cuts[r + 1], q, q + 1);
                    chunksAdded[r] = q + 1;
                    earlyAdds.incrementAndGet();
                    added = true;
                }
                adding.set(r, 0);
            }
            if (!added) return;
        }
    }

    /** Takes chunk k for the current task; false if another member took it first. */
    private boolean claim(int k) {
        return claims.getAndSet(k, taskId) != taskId;
    }

    @Override
    public BatchResult evaluate(Dataset data, int[] order, int from, int count, float[] probabilities) {
        begin(data, order, from, count);
        pool.run(evaluateTask);
        if (probabilities != null)
            for (int k = 0; k < taskChunks; k++)
                for (int i = 0; i < chunks[k].count; i++)
                    chunks[k].copyOutput(LayerOutput.PROBABILITIES, i, probabilities, (k * CHUNK + i) * CLASSES);
        return result();
    }

    private void evaluateShare(int t) { runShare(t, false); }

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
        taskChunks = (count + CHUNK - 1) / CHUNK;
        lastCount = count;
        taskId++;   // published to the workers by the pool's start of the task
    }

    /** The batch's loss and correct count, summed in chunk order. */
    private BatchResult result() {
        double loss = 0;
        int correct = 0;
        for (int k = 0; k < taskChunks; k++) {
            loss += chunks[k].lossSum;
            correct += chunks[k].correct;
        }
        taskData = null;
        taskOrder = null;
        return new BatchResult(loss, correct, taskCount);
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

    /**
     * Where member t's range of the flat parameters starts: an equal share, cut at a multiple of 16 floats (a cache
     * line), moved to a row boundary inside a dense weight whose rows are whole vectors, and out of a dense weight
     * and its bias where a row ends in a partial vector (the gradient's last row rewrites the floats up to one
     * vector past it, see CpuLayers.denseWeightGradient).
     */
    private int cut(int t, int team) {
        if (t == 0 || t == team) return t == 0 ? 0 : size;
        int cut = (int) ((long) size * t / team) & ~15;
        ParamTensor[][] dense = {{layout.fc1W, layout.fc1B}, {layout.fc2W, layout.fc2B}, {layout.fc3W, layout.fc3B}};
        for (ParamTensor[] wb : dense) {
            ParamTensor w = wb[0], b = wb[1];
            if (cut <= w.offset() || cut >= b.end()) continue;
            int in = w.fanIn();
            if (in % Gemm.L == 0 && cut < w.end())
                cut = w.offset() + Math.round((cut - w.offset()) / (float) in) * in;
            else if (in % Gemm.L != 0)
                cut = cut - w.offset() < b.end() - cut ? w.offset() : b.end();
        }
        return cut;
    }

    private void updateShare(int t) {
        int from = cuts[t], to = cuts[t + 1];
        if (!gradientsReduced) gradient(from, to, chunksAdded[t], gradChunks);
        OptimizerMath.update(taskOptimizer, taskLr, taskStep, params, grads, state0, state1, from, to);
        refreshTransposed(from, to);
    }

    private void reduceShare(int t) {
        gradient(cuts[t], cuts[t + 1], chunksAdded[t], gradChunks);
    }

    /**
     * Adds chunks [q0, q1) of the last batch into grads[from, to) (chunk 0 starts the sums): the dense weights'
     * rows there as products over those chunks' images, the other parameters as the chunks' gradients, in chunk
     * order. Chunks [0, gradChunks) in one call or in several, in order, give the same floats.
     */
    private void gradient(int from, int to, int q0, int q1) {
        if (q0 >= q1) return;
        int at = from;
        at = denseGradient(layout.fc1W, fc1X, fc1Dy, at, to, q0, q1);
        at = denseGradient(layout.fc2W, fc2X, fc2Dy, at, to, q0, q1);
        at = denseGradient(layout.fc3W, fc3X, fc3Dy, at, to, q0, q1);
        sumChunks(at, to, q0, q1);
    }

    /** Sums the chunks over [at, the weight's start), then adds to its rows in [at, to); returns where it stopped. */
    private int denseGradient(ParamTensor w, float[][] x, float[][] dy, int at, int to, int q0, int q1) {
        int lo = Math.max(at, w.offset()), hi = Math.min(to, w.end());
        if (lo >= hi) return at;
        sumChunks(at, lo, q0, q1);
        int in = w.fanIn(), out = w.size() / in;   // (out, in); shape() would allocate a copy
        CpuLayers.denseWeightGradient(x, dy, chunkCounts, q0, q1, in, out, grads, w.offset(),
                (lo - w.offset()) / in, (hi - w.offset()) / in);
        return hi;
    }

    /** Adds chunks [q0, q1)' gradients into grads[from, to), in chunk order (chunk 0 is copied, not added). */
    private void sumChunks(int from, int to, int q0, int q1) {
        if (from >= to) return;
        if (q0 == 0) System.arraycopy(chunkGrads[0], from, grads, from, to - from);
        for (int k = Math.max(q0, 1); k < q1; k++) {
            float[] g = chunkGrads[k];
            for (int i = from; i < to; i++) grads[i] += g[i];
        }
    }

    /** Copies params[from, to) that belong to a dense weight into its transposed copy. */
    private void refreshTransposed(int from, int to) {
        transpose(layout.fc1W, fc1T, from, to);
        transpose(layout.fc2W, fc2T, from, to);
        transpose(layout.fc3W, fc3T, from, to);
    }

    /**
     * transposed (in, out) = the rows of weight (out, in) that lie in params[from, to). Whole rows four at a time
     * (four read streams, four adjacent floats written per column; eight at a time measured slower).
     */
    private void transpose(ParamTensor weight, float[] transposed, int from, int to) {
        int lo = Math.max(from, weight.offset()), hi = Math.min(to, weight.end());
        if (lo >= hi) return;
        int base = weight.offset(), in = weight.fanIn(), out = weight.size() / in;   // shape() would allocate a copy
        int i = lo;
        for (; i < hi && (i - base) % in != 0; i++) transposed[(i - base) % in * out + (i - base) / in] = params[i];
        int r = (i - base) / in, rows = (hi - base) / in;   // whole rows [r, rows)
        for (; r + 4 <= rows; r += 4) {
            int w0 = base + r * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
            for (int k = 0, t = r; k < in; k++, t += out) {
                transposed[t] = params[w0 + k];
                transposed[t + 1] = params[w1 + k];
                transposed[t + 2] = params[w2 + k];
                transposed[t + 3] = params[w3 + k];
            }
        }
        for (; r < rows; r++)
            for (int k = 0, w0 = base + r * in; k < in; k++) transposed[k * out + r] = params[w0 + k];
        for (i = Math.max(i, base + rows * in); i < hi; i++) transposed[(i - base) % in * out + (i - base) / in] = params[i];
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
        for (int k = 0; k * CHUNK < lastCount; k++)
            for (int i = 0; i < chunks[k].count; i++) chunks[k].copyOutput(which, i, r, (k * CHUNK + i) * per);
        return r;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close();
    }
}
