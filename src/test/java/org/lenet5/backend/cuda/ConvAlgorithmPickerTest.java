package org.lenet5.backend.cuda;

import org.lenet5.backend.cuda.ConvAlgorithmPicker.Candidate;
import org.lenet5.backend.cuda.ConvAlgorithmPicker.Choice;
import org.lenet5.backend.cuda.ConvAlgorithmPicker.Pass;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Algorithm choice from made-up cudnnGet*Algorithm_v7 rankings (algo, status, memory, determinism, mathType). */
class ConvAlgorithmPickerTest {

    private static final long MIB = 1024 * 1024;
    private static final int OK = 0, FAILED = 9, DET = 1, NONDET = 0, FMA = 3, DEFAULT = 0, TENSOR_OP = 1;

    @Test
    void takesTheBestRankedUsableAlgorithm() {
        List<Candidate> ranked = List.of(new Candidate(6, FAILED, 0, DET, DEFAULT), new Candidate(1, OK, 2 * MIB, DET, FMA),
                new Candidate(0, OK, 0, DET, FMA));
        assertEquals(new Choice(1, 2 * MIB), ConvAlgorithmPicker.pick(Pass.FORWARD, ranked, false, 256 * MIB));
    }

    @Test
    void skipsTensorCoreMathSoResultsStayFloat32Accurate() {
        List<Candidate> ranked = List.of(new Candidate(1, OK, 0, DET, TENSOR_OP), new Candidate(0, OK, 0, DET, DEFAULT));
        assertEquals(0, ConvAlgorithmPicker.pick(Pass.FORWARD, ranked, false, 0).algo());
    }

    @Test
    void deterministicModeSkipsAlgorithmsMarkedOrDocumentedAsNonDeterministic() {
        List<Candidate> ranked = List.of(
                new Candidate(0, OK, 0, DET, FMA),        // BWD_FILTER_ALGO_0: atomics per the cuDNN docs, even if marked
                new Candidate(5, OK, 0, NONDET, FMA),     // marked non-deterministic by cuDNN
                new Candidate(3, OK, 0, DET, FMA),        // BWD_FILTER_ALGO_3: documented non-deterministic
                new Candidate(1, OK, 4 * MIB, DET, FMA));
        assertEquals(1, ConvAlgorithmPicker.pick(Pass.BACKWARD_FILTER, ranked, true, 256 * MIB).algo());
        assertEquals(0, ConvAlgorithmPicker.pick(Pass.BACKWARD_FILTER, ranked, false, 256 * MIB).algo(),
                "without --deterministic the fastest is fine");
        assertEquals(1, ConvAlgorithmPicker.pick(Pass.BACKWARD_DATA, List.of(new Candidate(0, OK, 0, DET, FMA),
                new Candidate(1, OK, 0, DET, FMA)), true, 0).algo(), "BWD_DATA_ALGO_0 uses atomics");
    }

    @Test
    void prefersAnAlgorithmWithinTheWorkspaceLimitAndFallsBackToTheBestOtherwise() {
        List<Candidate> ranked = List.of(new Candidate(4, OK, 900 * MIB, DET, FMA), new Candidate(1, OK, 8 * MIB, DET, FMA));
        assertEquals(new Choice(1, 8 * MIB), ConvAlgorithmPicker.pick(Pass.FORWARD, ranked, false, 256 * MIB));
        List<Candidate> allLarge = List.of(new Candidate(4, OK, 900 * MIB, DET, FMA), new Candidate(5, OK, 700 * MIB, DET, FMA));
        assertEquals(new Choice(4, 900 * MIB), ConvAlgorithmPicker.pick(Pass.FORWARD, allLarge, false, 256 * MIB),
                "nothing fits: the best-ranked, and the caller grows the workspace");
    }

    @Test
    void noUsableAlgorithmIsAOneLineUserErrorNamingTheLayerAndTheCandidates() {
        // A UserException: --backend cuda prints it as one line, --backend auto falls back to the cpu with it as the notice.
        CudaFailure e = assertThrows(CudaFailure.class, () -> ConvAlgorithmPicker.pick(Pass.BACKWARD_FILTER,
                List.of(new Candidate(0, OK, 0, NONDET, FMA)), true, 0, "conv2: x (32, 6, 12, 12), weight (16, 6, 5, 5), y (32, 16, 8, 8)"));
        assertInstanceOf(org.lenet5.util.UserException.class, e);
        assertTrue(e.getMessage().contains("backward filter algorithm that is deterministic for conv2: x (32, 6, 12, 12)"), e.getMessage());
        assertTrue(e.getMessage().contains("algo=0"), e.getMessage());
        assertTrue(e.getMessage().endsWith("try without --deterministic"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(e.outOfMemory());
    }
}
