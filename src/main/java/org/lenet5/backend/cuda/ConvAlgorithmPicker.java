package org.lenet5.backend.cuda;

import java.util.List;
import java.util.Set;

/**
 * Chooses a cuDNN convolution algorithm from the ranked list cudnnGet*Algorithm_v7 returns.
 * Pure bookkeeping (no device), so it is unit-tested with made-up candidate lists.
 *
 * <p>Rules: skip entries whose status is not success; skip tensor-core (TF32) math, since results must match
 * the float reference to float32 accuracy; with {@code deterministic}, skip entries cuDNN marks
 * non-deterministic and the algorithms its documentation lists as not reproducible; prefer the best-ranked
 * algorithm whose workspace fits {@code softLimitBytes}, otherwise take the best-ranked acceptable one anyway
 * (the caller grows the workspace).
 */
public final class ConvAlgorithmPicker {

    /** cudnnStatus_t success; the same value in cuDNN 8 and 9. */
    public static final int STATUS_SUCCESS = 0;
    /** cudnnDeterminism_t CUDNN_DETERMINISTIC. */
    public static final int DETERMINISTIC = 1;
    /** cudnnMathType_t values that use FP32 FMA units only (CUDNN_DEFAULT_MATH, CUDNN_FMA_MATH). */
    public static final Set<Integer> FP32_MATH = Set.of(0, 3);

    /** Which convolution pass, with the algorithms cuDNN's documentation calls non-reproducible. */
    public enum Pass {
        FORWARD(Set.of()),
        /** CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 uses atomics. */
        BACKWARD_DATA(Set.of(0)),
        /** CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 and _3 use atomics. */
        BACKWARD_FILTER(Set.of(0, 3));

        private final Set<Integer> nonDeterministic;

        Pass(Set<Integer> nonDeterministic) { this.nonDeterministic = nonDeterministic; }

        public boolean documentedNonDeterministic(int algo) { return nonDeterministic.contains(algo); }
    }

    /** One entry of a cudnnConvolution*AlgoPerf array. */
    public record Candidate(int algo, int status, long memory, int determinism, int mathType) {}

    /** The chosen algorithm and the workspace cuDNN reported for it. */
    public record Choice(int algo, long memory) {}

    private ConvAlgorithmPicker() {}

    /** As {@link #pick(Pass, List, boolean, long, Object)} without a layer to name. */
    public static Choice pick(Pass pass, List<Candidate> ranked, boolean deterministic, long softLimitBytes) {
        return pick(pass, ranked, deterministic, softLimitBytes, null);
    }

    /**
     * @param context the layer and its shapes, for the message (e.g. a CudnnConvolution); may be null
     * @throws CudaFailure naming the layer and the rejected candidates when none is acceptable: a one-line user
     *                     error, so --backend cuda says it in one line and --backend auto falls back to the cpu
     */
    public static Choice pick(Pass pass, List<Candidate> ranked, boolean deterministic, long softLimitBytes, Object context) {
        Candidate fallback = null;
        for (Candidate c : ranked) {
            if (!acceptable(pass, c, deterministic)) continue;
            if (c.memory() <= softLimitBytes) return new Choice(c.algo(), c.memory());
            if (fallback == null) fallback = c;
        }
        if (fallback != null) return new Choice(fallback.algo(), fallback.memory());
        throw new CudaFailure("cuDNN offered no usable " + pass.name().toLowerCase().replace('_', ' ')
                + " algorithm" + (deterministic ? " that is deterministic" : "") + (context == null ? "" : " for " + context)
                + " among " + ranked + (deterministic ? "; try without --deterministic" : ""), false);
    }

    static boolean acceptable(Pass pass, Candidate c, boolean deterministic) {
        if (c.status() != STATUS_SUCCESS) return false;
        if (!FP32_MATH.contains(c.mathType())) return false;
        if (deterministic && (c.determinism() != DETERMINISTIC || pass.documentedNonDeterministic(c.algo()))) return false;
        return true;
    }
}
