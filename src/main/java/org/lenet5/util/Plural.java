package org.lenet5.util;

/** Counts in messages: "1 trial", "3 trials". */
public final class Plural {

    private Plural() {}

    /** n and the noun, with an "s" unless n is 1: count(1, "seed") is "1 seed", count(0, "seed") is "0 seeds". */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
