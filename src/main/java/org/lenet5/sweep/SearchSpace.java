package org.lenet5.sweep;

import org.lenet5.train.OptimizerKind;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyper-parameter values a sweep tries.
 * Grid search takes every combination; random search draws configurations with a generator seeded from --seed
 * (batch size and optimizer uniformly from their lists; learning rate and L2 uniformly from a list, or
 * log-uniformly from a MIN:MAX range), so the same command draws the same configurations and a restarted sweep
 * finds its finished trials.
 */
public record SearchSpace(List<Integer> batchSizes, FloatAxis lr, FloatAxis l2, List<OptimizerKind> optimizers) {

    /** Purpose number for the sampler's generator (see SeededRandom.derive). */
    static final long SAMPLER_STREAM = 0x5EE9;

    public SearchSpace {
        batchSizes = List.copyOf(batchSizes);
        optimizers = List.copyOf(optimizers);
        if (batchSizes.isEmpty() || optimizers.isEmpty()) throw new IllegalArgumentException("empty search space");
    }

    /** Every combination, in grid order (batch size, learning rate, L2, optimizer). */
    public List<TrialSettings> grid() {
        List<Float> lrs = listed(lr, Hyperparameter.LR), l2s = listed(l2, Hyperparameter.L2);
        List<TrialSettings> all = new ArrayList<>();
        for (int b : batchSizes)
            for (float r : lrs)
                for (float w : l2s)
                    for (OptimizerKind o : optimizers) all.add(new TrialSettings(b, r, w, o));
        return all;
    }

    /** The number of grid points, or -1 when a range makes the space continuous. */
    public long gridSize() {
        if (!(lr instanceof FloatAxis.Listed a) || !(l2 instanceof FloatAxis.Listed b)) return -1;
        return (long) batchSizes.size() * a.values().size() * b.values().size() * optimizers.size();
    }

    /**
     * n distinct configurations drawn at random from the seed. When the space is a finite grid of at most n
     * points, the whole grid is returned instead (drawing would only repeat points).
     */
    public List<TrialSettings> sample(int n, long seed) {
        if (n < 1) throw new UserException("--trials must be at least 1 (got " + n + ")");
        long size = gridSize();
        if (size >= 0 && size <= n) return grid();
        SeededRandom random = SeededRandom.derive(seed, SAMPLER_STREAM, 0);
        Map<String, TrialSettings> drawn = new LinkedHashMap<>();
        // Distinct points run out only for a finite grid, which is larger than n here; the cap guards a narrow range.
        for (int attempt = 0; drawn.size() < n && attempt < 1000 * n; attempt++) {
            TrialSettings s = new TrialSettings(batchSizes.get(random.nextInt(batchSizes.size())), lr.sample(random),
                    l2.sample(random), optimizers.get(random.nextInt(optimizers.size())));
            drawn.putIfAbsent(s.id(), s);
        }
        return List.copyOf(drawn.values());
    }

    private static List<Float> listed(FloatAxis axis, Hyperparameter h) {
        if (axis instanceof FloatAxis.Listed l) return l.values();
        FloatAxis.LogUniform r = (FloatAxis.LogUniform) axis;
        throw new UserException(h.option() + " " + CompactNumbers.of(r.min()) + ":" + CompactNumbers.of(r.max())
                + " is a range; ranges need --search random (grid search takes lists: " + h.option() + " 1e-4,1e-3)");
    }
}
