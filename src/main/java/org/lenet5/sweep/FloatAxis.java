package org.lenet5.sweep;

import org.lenet5.util.SeededRandom;

import java.util.List;

/** The values one float hyper-parameter (learning rate, L2) may take: a list, or a log-uniform range. */
public sealed interface FloatAxis {

    /** Draws one value (random search). */
    float sample(SeededRandom random);

    /** @param values distinct, in the order given */
    record Listed(List<Float> values) implements FloatAxis {
        public Listed {
            values = List.copyOf(values);
            if (values.isEmpty()) throw new IllegalArgumentException("no values");
        }

        @Override
        public float sample(SeededRandom random) { return values.get(random.nextInt(values.size())); }
    }

    /**
     * log10 of the value uniform in [log10 min, log10 max], rounded to three significant digits.
     * Both ends must be positive: L2 = 0 is not on a log scale (list it instead: --l2 0,1e-6,1e-4).
     */
    record LogUniform(float min, float max) implements FloatAxis {
        public LogUniform {
            if (!(min > 0) || !(max > min)) throw new IllegalArgumentException("a range needs 0 < min < max");
        }

        @Override
        public float sample(SeededRandom random) {
            double lo = Math.log10(min), hi = Math.log10(max);
            float v = CompactNumbers.threeDigits(Math.pow(10, lo + (hi - lo) * random.nextDouble()));
            return Math.min(max, Math.max(min, v));
        }
    }
}
