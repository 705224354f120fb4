package org.lenet5.sweep;

import java.math.BigDecimal;

/**
 * Short, exact text for hyper-parameter values, the way people write them: 1e-3, 3e-4, 0.5, 0, 1e6.
 * The text comes from the float's shortest round-trip form, so 0.001 and 1e-3 on the command line give the same
 * text, and trial ids built from it are stable.
 */
final class CompactNumbers {

    private CompactNumbers() {}

    static String of(float v) {
        if (v == 0) return "0";
        if (!Float.isFinite(v)) return Float.toString(v);
        BigDecimal d = new BigDecimal(Float.toString(v)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 0.1 && a < 10000) return d.toPlainString();
        // d = unscaled * 10^-scale; write the unscaled digits as a mantissa with one digit before the point.
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /** Rounds to three significant digits (sampled values stay readable in ids and tables). */
    static float threeDigits(double v) {
        if (v == 0 || !Double.isFinite(v)) return (float) v;
        return new BigDecimal(v).round(new java.math.MathContext(3)).floatValue();
    }
}
