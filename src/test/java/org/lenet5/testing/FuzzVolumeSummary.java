package org.lenet5.testing;

import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds up the cases every fuzz test ran in this test run and prints one summary when the run ends, whatever
 * order the tests ran in. A fuzz test reports through JUnit's TestReporter:
 * {@code reporter.publishEntry(FuzzVolumeSummary.entry("checkpoint reader", cases))}.
 * Registered in META-INF/services/org.junit.platform.launcher.TestExecutionListener (the JUnit Platform loads it).
 */
public final class FuzzVolumeSummary implements TestExecutionListener {

    public static final String TARGET = "fuzz.target";
    public static final String CASES = "fuzz.cases";

    private final Map<String, Long> cases = new TreeMap<>();

    /** What a fuzz test publishes: the reader it fuzzed and how many cases it ran. */
    public static Map<String, String> entry(String target, long count) {
        return Map.of(TARGET, target, CASES, Long.toString(count));
    }

    @Override
    public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        Map<String, String> kv = entry.getKeyValuePairs();
        if (kv.containsKey(TARGET) && kv.containsKey(CASES))
            cases.merge(kv.get(TARGET), Long.parseLong(kv.get(CASES)), Long::sum);
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        if (cases.isEmpty()) return;
        long total = cases.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "fuzz volume of this run: %,d cases", total));
        String sep = " (";
        for (Map.Entry<String, Long> e : cases.entrySet()) {
            sb.append(sep).append(String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()));
            sep = ", ";
        }
        System.out.println(sb.append(')'));
        System.out.flush();
    }
}
