package org.lenet5.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Median and spread of repeated measurements: min, max and the quartiles (linear interpolation between order
 * statistics, as numpy's default), with the samples in the order they were taken.
 */
public record Spread(double median, double min, double max, double q1, double q3, double[] samples) {

    public static Spread of(double... samples) {
        if (samples.length == 0) throw new IllegalArgumentException("no samples");
        double[] s = samples.clone();
        Arrays.sort(s);
        return new Spread(quantile(s, 0.5), s[0], s[s.length - 1], quantile(s, 0.25), quantile(s, 0.75), samples.clone());
    }

    /** The q-quantile of sorted values, interpolating linearly between the two nearest. */
    static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at), hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The same measurements as rates: count / sample (so the median of a rate is count / median time). */
    public Spread reciprocal(double count) {
        double[] r = new double[samples.length];
        for (int i = 0; i < r.length; i++) r[i] = count / samples[i];
        return of(r);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", median);
        m.put("min", min);
        m.put("max", max);
        m.put("q1", q1);
        m.put("q3", q3);
        m.put("samples", samples.clone());
        return m;
    }
}
