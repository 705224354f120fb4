package org.lenet5.checkpoint;

import org.lenet5.backend.Backend;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a checkpoint file holds: the network's shape, how its input was preprocessed, the flat
 * parameters, the optimizer's state buffers (for resume; empty when not needed) and string metadata
 * (dataset, lenet5 version, and whatever trainer state the trainer needs to resume: epoch, step, rng state, ...).
 * Metadata is kept sorted by key so the same content always gives the same file bytes. The arrays are not copied
 * (a checkpoint is built just before writing or just after reading); equality compares their contents.
 *
 * @param spec           the network the parameters belong to
 * @param preprocessing  how 8-bit images become its input
 * @param parameters     (layout.size()) flat parameters in {@link ParameterLayout} order
 * @param optimizerState zero or more buffers of (layout.size()), e.g. momentum's velocity or Adam's m and v
 * @param metadata       string key/values; stored as an unmodifiable copy sorted by key
 */
public record Checkpoint(ModelSpec spec, Preprocessing preprocessing, float[] parameters, float[][] optimizerState,
                         Map<String, String> metadata) {

    /** Metadata key: the dataset id the model was trained on ("mnist", "fashion-mnist"). */
    public static final String DATASET = "dataset";
    /** Metadata key: the lenet5 version that wrote the file. */
    public static final String LENET5_VERSION = "lenet5.version";

    /** Most optimizer state buffers a checkpoint holds (Adam needs 2). */
    public static final int MAX_OPTIMIZER_STATE = 4;

    public Checkpoint {
        if (spec == null || preprocessing == null || parameters == null || optimizerState == null || metadata == null)
            throw new IllegalArgumentException("checkpoint fields must not be null");
        if (preprocessing.inputHeight() != spec.inputHeight() || preprocessing.inputWidth() != spec.inputWidth())
            throw new IllegalArgumentException("preprocessing gives " + preprocessing.inputHeight() + "x"
                    + preprocessing.inputWidth() + " input but the model " + spec + " takes "
                    + spec.inputHeight() + "x" + spec.inputWidth());
        int size = new ParameterLayout(spec).size();
        if (parameters.length != size)
            throw new IllegalArgumentException(parameters.length + " parameters for " + spec + " (needs " + size + ")");
        if (optimizerState.length > MAX_OPTIMIZER_STATE)
            throw new IllegalArgumentException(optimizerState.length + " optimizer state buffers (at most "
                    + MAX_OPTIMIZER_STATE + ")");
        for (float[] s : optimizerState)
            if (s == null || s.length != size)
                throw new IllegalArgumentException("optimizer state buffers must hold " + size + " values each");
        for (Map.Entry<String, String> e : metadata.entrySet())
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException("metadata keys and values must not be null (" + e.getKey() + ")");
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    /** A checkpoint of parameters only (no optimizer state). */
    public Checkpoint(ModelSpec spec, Preprocessing preprocessing, float[] parameters, Map<String, String> metadata) {
        this(spec, preprocessing, parameters, new float[0][], metadata);
    }

    /**
     * The backend's current parameters, and its optimizer state when asked (for resume), as a checkpoint.
     */
    public static Checkpoint capture(Backend backend, boolean withOptimizerState, Map<String, String> metadata) {
        float[] p = new float[backend.layout().size()];
        backend.getParameters(p);
        float[][] state = withOptimizerState ? backend.getOptimizerState() : new float[0][];
        float[][] copy = new float[state.length][];
        for (int i = 0; i < state.length; i++) copy[i] = state[i].clone();
        return new Checkpoint(backend.spec(), backend.preprocessing(), p, copy, metadata);
    }

    /** Sets the backend's parameters (and optimizer state, when the checkpoint has some) from this checkpoint. */
    public void loadInto(Backend backend) {
        if (!backend.spec().equals(spec) || !backend.preprocessing().equals(preprocessing))
            throw new IllegalArgumentException("backend runs " + backend.spec() + " but the checkpoint holds " + spec);
        backend.setParameters(parameters);
        if (optimizerState.length > 0) backend.setOptimizerState(optimizerState);
    }

    public ParameterLayout layout() { return new ParameterLayout(spec); }

    @Override public boolean equals(Object o) {
        return o instanceof Checkpoint c && spec.equals(c.spec) && preprocessing.equals(c.preprocessing)
                && Arrays.equals(parameters, c.parameters) && Arrays.deepEquals(optimizerState, c.optimizerState)
                && metadata.equals(c.metadata);
    }

    @Override public int hashCode() {
        return Objects.hash(spec, preprocessing, Arrays.hashCode(parameters), Arrays.deepHashCode(optimizerState), metadata);
    }

    @Override public String toString() {
        return "Checkpoint[" + spec + ", " + parameters.length + " parameters, " + optimizerState.length
                + " optimizer state buffers, metadata " + metadata + "]";
    }

    /** The metadata value, or null when absent. */
    public String get(String key) { return metadata.get(key); }
}
