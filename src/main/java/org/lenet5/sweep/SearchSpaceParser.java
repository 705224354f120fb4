package org.lenet5.sweep;

import org.lenet5.train.OptimizerKind;
import org.lenet5.util.UserException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the values of --batch-size, --lr, --l2 and --optimizer: comma lists ("16,32,64", "3e-4,1e-3"),
 * log-uniform ranges for random search ("1e-4:1e-2", learning rate and L2 only), and the word "best": the value
 * of the best configuration already finished in --out (so a second stage can build on the first, e.g.
 * --batch-size best --l2 1e-2,1e-4,1e-6).
 * A malformed value throws IllegalArgumentException naming the option and the value (a usage error).
 */
public final class SearchSpaceParser {

    public static final String BEST = "best";

    private SearchSpaceParser() {}

    /**
     * @param best the best finished configuration of the sweep directory, if there is one
     */
    public static SearchSpace parse(String batchSizes, String lrs, String l2s, String optimizers,
                                    Optional<TrialSettings> best) {
        return new SearchSpace(
                list(Hyperparameter.BATCH_SIZE, batchSizes, best, s -> {
                    int b = Integer.parseInt(s);
                    if (b < 1 || b > 65536) throw new IllegalArgumentException(b + " must be between 1 and 65536");
                    return b;
                }),
                floats(Hyperparameter.LR, lrs, best, false),
                floats(Hyperparameter.L2, l2s, best, true),
                list(Hyperparameter.OPTIMIZER, optimizers, best, OptimizerKind::parse));
    }

    private static FloatAxis floats(Hyperparameter h, String text, Optional<TrialSettings> best, boolean zeroAllowed) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon >= 0) {
            float min = number(h, t.substring(0, colon), zeroAllowed), max = number(h, t.substring(colon + 1), zeroAllowed);
            if (!(min > 0) || !(max > min))
                throw new IllegalArgumentException(h.option() + " " + t + ": a range MIN:MAX needs 0 < MIN < MAX"
                        + (min == 0 ? " (0 has no place on a log scale; list it instead, e.g. 0,1e-6,1e-4)" : ""));
            return new FloatAxis.LogUniform(min, max);
        }
        return new FloatAxis.Listed(list(h, t, best, s -> number(h, s, zeroAllowed)));
    }

    private static float number(Hyperparameter h, String s, boolean zeroAllowed) {
        float v;
        try {
            v = Float.parseFloat(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(h.option() + ": '" + s.strip() + "' is not a number");
        }
        if (!Float.isFinite(v) || v < 0 || (v == 0 && !zeroAllowed))
            throw new IllegalArgumentException(h.option() + ": " + s.strip() + " must be "
                    + (zeroAllowed ? "zero or positive" : "positive"));
        return v;
    }

    private static <T> List<T> list(Hyperparameter h, String text, Optional<TrialSettings> best, Function<String, T> parse) {
        Set<T> values = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String s = part.strip();
            if (s.isEmpty())
                throw new IllegalArgumentException(h.option() + " '" + text + "': an empty value (write comma lists like 32,64)");
            T v;
            if (s.equalsIgnoreCase(BEST)) {
                TrialSettings b = best.orElseThrow(() -> new UserException(h.option() + " best: there is no finished"
                        + " trial in --out yet to take the best " + h.title() + " from; run the first stage there first"));
                @SuppressWarnings("unchecked") T fromBest = (T) parse.apply(b.value(h));
                v = fromBest;
            } else {
                try {
                    v = parse.apply(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(h.option() + ": '" + s + "' is "
                            + (s.matches("[+-]?\\d+") ? "out of range" : "not a whole number"));
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage();
                    throw new IllegalArgumentException(m.startsWith(h.option()) ? m : h.option() + ": " + m);
                }
            }
            values.add(v);
        }
        return new ArrayList<>(values);
    }
}
