package org.lenet5.bench;

import org.lenet5.util.BuildInfo;
import org.lenet5.util.MachineInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code lenet5 bench} reports: the machine, the load before and after, and one result per (batch size,
 * threads) configuration; as a text table and as JSON (bench.json, for scripts).
 *
 * @param dataset     dataset id
 * @param limit       training images per epoch when fewer than the training set (0: all)
 * @param fullEpoch   images of a full training epoch (the training set's size)
 * @param loadAtStart load averages when the bench started
 * @param loadAtEnd   load averages when it ended
 */
public record BenchReport(MachineInfo machine, BuildInfo build, String dataset, int limit, int fullEpoch,
                          double[] loadAtStart, double[] loadAtEnd, List<TrainingBenchmark.Result> results) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lenet5_version", build.version());
        m.put("commit", build.commit());
        Map<String, Object> machineMap = new LinkedHashMap<>();
        machineMap.put("cpu", machine.cpuModel());
        machineMap.put("cpu_features", machine.cpuFeatures());
        machineMap.put("arch", machine.arch());
        machineMap.put("logical_cores", machine.logicalCores());
        machineMap.put("physical_cores", machine.physicalCores());
        machineMap.put("memory_bytes", machine.memoryBytes());
        machineMap.put("java_max_heap_bytes", machine.maxHeapBytes());
        machineMap.put("java", machine.java());
        machineMap.put("os", machine.os());
        m.put("machine", machineMap);
        m.put("load_average_start", loadAtStart);
        m.put("load_average_end", loadAtEnd);
        m.put("dataset", dataset);
        m.put("optimizer", "adam lr " + TrainingBenchmark.LR + " (constant), no L2");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (TrainingBenchmark.Result r : results) {
            Map<String, Object> run = new LinkedHashMap<>();
            TrainingBenchmark.Config c = r.config();
            run.put("backend", r.backendName());
            run.put("arch", c.arch().id());
            run.put("batch_size", c.batchSize());
            run.put("threads", r.threadsUsed());
            run.put("timed_epochs", c.epochs());
            run.put("warmup_steps", c.warmupSteps());
            run.put("train_images_per_epoch", r.trainImages());
            run.put("epoch_seconds", r.epochSeconds().toMap());
            run.put("train_images_per_second", r.trainImagesPerSecond().toMap());
            // A subset epoch is scaled to the full training set at the measured rate, and marked so.
            run.put("full_epoch_images", fullEpoch);
            run.put("full_epoch_seconds_median", fullEpochSeconds(r));
            run.put("full_epoch_extrapolated", r.trainImages() != fullEpoch);
            run.put("inference_images", r.testImages());
            run.put("inference_batch_size", Math.min(c.evalBatch(), r.testImages()));
            run.put("inference_seconds", r.inferenceSeconds().toMap());
            run.put("inference_images_per_second", r.inferenceImagesPerSecond().toMap());
            run.put("test_accuracy", r.testAccuracy());
            run.put("train_loss_last_epoch", r.trainLoss());
            run.put("rss_at_start_bytes", r.residentAtStartBytes());
            run.put("peak_rss_bytes", r.peakResidentBytes());
            run.put("peak_rss_scope", r.peakCoversRunOnly() ? "this configuration" : "the whole process");
            run.put("allocated_bytes_per_step", r.allocatedBytesPerStep());
            run.put("jit_milliseconds_per_epoch", r.jitMillis() == null ? null : r.jitMillis().toMap());
            run.put("load_average_start", r.loadAtStart());
            run.put("load_average_end", r.loadAtEnd());
            runs.add(run);
        }
        m.put("runs", runs);
        return m;
    }

    /** Median epoch seconds scaled to a full epoch (the same number when the epoch was full). */
    public double fullEpochSeconds(TrainingBenchmark.Result r) {
        return fullEpoch / r.trainImagesPerSecond().median();
    }

    /** The text report: machine, a table with one row per configuration, the load averages. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        machine.rows().forEach((k, v) -> s.append(String.format(Locale.ROOT, "%-10s %s%n", k, v)));
        s.append(String.format(Locale.ROOT, "%-10s %s%n", "lenet5", build.version() + ", commit " + build.commit()));
        s.append(String.format(Locale.ROOT, "%-10s %s (1, 5, 15 min) at start, %s at end%n%n", "Load", load(loadAtStart),
                load(loadAtEnd)));
        if (!results.isEmpty()) {
            TrainingBenchmark.Result first = results.get(0);
            s.append(String.format(Locale.ROOT, "%s, %s, %s: %,d training images per epoch%s, %,d test images; "
                            + "%d timed epoch(s) after %d warm-up steps; median [min, max]%n",
                    first.backendName(), first.config().arch().id(), dataset, first.trainImages(),
                    limit > 0 ? " (--limit; epoch seconds scaled to " + String.format(Locale.ROOT, "%,d", fullEpoch) + ")" : "",
                    first.testImages(), first.config().epochs(), first.config().warmupSteps()));
        }
        s.append(String.format(Locale.ROOT, "%5s %7s  %-22s %-24s %-26s %8s %9s %10s%n", "batch", "threads",
                "epoch s", "train images/s", "inference images/s", "test acc", "peak RSS", "JIT ms"));
        for (TrainingBenchmark.Result r : results) {
            Spread e = r.epochSeconds(), t = r.trainImagesPerSecond(), i = r.inferenceImagesPerSecond();
            double scale = fullEpoch / (double) r.trainImages();
            s.append(String.format(Locale.ROOT, "%5d %7d  %-22s %-24s %-26s %7.2f%% %9s %10s%n",
                    r.config().batchSize(), r.threadsUsed(),
                    String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", e.median() * scale, e.min() * scale, e.max() * scale),
                    String.format(Locale.ROOT, "%,.0f [%,.0f, %,.0f]", t.median(), t.min(), t.max()),
                    String.format(Locale.ROOT, "%,.0f [%,.0f, %,.0f]", i.median(), i.min(), i.max()),
                    100 * r.testAccuracy(), mib(r.peakResidentBytes()),
                    r.jitMillis() == null ? "unknown"
                            : String.format(Locale.ROOT, "%.0f [%.0f]", r.jitMillis().median(), r.jitMillis().max())));
        }
        s.append(String.format(Locale.ROOT, "JIT ms: the JIT compilers' milliseconds per timed epoch, median [max] "
                + "(the training steps only, not scaled by --limit); with as many threads as cores they take time "
                + "from training%n"));
        return s.toString();
    }

    static String load(double[] l) {
        return l[0] < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f %.2f %.2f", l[0], l[1], l[2]);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
    }
}
