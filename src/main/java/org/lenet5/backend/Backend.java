package org.lenet5.backend;

import org.lenet5.data.Dataset;
import org.lenet5.model.LayerOutput;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.train.OptimizerSettings;

/**
 * One way of running LeNet-5: the trainer, evaluate, predict, sweep and bench talk only to this.
 * Implementations: reference (float64 oracle), cpu (fast float32), cuda (cuDNN + cuBLAS).
 *
 * <p>A batch is named by a dataset and a slice of an index array: images data[order[from .. from+count)].
 * The backend gathers and preprocesses them itself (so the GPU can keep the dataset on the device).
 * Buffers are sized once for {@link #maxBatchSize()}; nothing is allocated per step.
 *
 * <p>Parameters, gradients and optimizer state use the flat {@link ParameterLayout}, as float32 on the host.
 */
public interface Backend extends AutoCloseable {

    /** "reference", "cpu" or "cuda". */
    String name();

    ModelSpec spec();

    Preprocessing preprocessing();

    ParameterLayout layout();

    int maxBatchSize();

    /** Copies the host parameters (layout().size()) into the backend. */
    void setParameters(float[] flat);

    /** Copies the backend's current parameters into flat (layout().size()). */
    void getParameters(float[] flat);

    /** Copies the gradients of the last {@link #forwardBackward} (loss gradient only, without L2) into flat. */
    void getGradients(float[] flat);

    /**
     * Forward and backward over one batch; gradients of the mean cross-entropy are overwritten (not accumulated).
     */
    BatchResult forwardBackward(Dataset data, int[] order, int from, int count);

    /**
     * One optimizer step over all parameters from the gradients of the last forwardBackward.
     *
     * @param lr   learning rate for this step (after the schedule)
     * @param step 1-based count of optimizer steps so far, including this one (Adam's bias correction)
     */
    void update(OptimizerSettings optimizer, float lr, long step);

    /** Convenience: forwardBackward then update. */
    default BatchResult trainStep(Dataset data, int[] order, int from, int count, OptimizerSettings opt, float lr, long step) {
        BatchResult r = forwardBackward(data, order, from, count);
        update(opt, lr, step);
        return r;
    }

    /**
     * Forward only. If probabilities is not null, writes softmax outputs (count, 10) into it.
     * Results for an image do not depend on the batch it is in.
     */
    BatchResult evaluate(Dataset data, int[] order, int from, int count, float[] probabilities);

    /** The per-image output of a layer from the last forward pass, (count, spec().outputSize(which)). */
    float[] readOutput(LayerOutput which);

    /** Optimizer state buffers (e.g. Adam's m and v), each layout().size(); empty before the first update. */
    float[][] getOptimizerState();

    void setOptimizerState(float[][] state);

    @Override
    void close();
}
