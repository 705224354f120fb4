package org.lenet5.cli;

import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.bench.BenchReport;
import org.lenet5.bench.ProcessStatus;
import org.lenet5.bench.TrainingBenchmark;
import org.lenet5.data.DataPaths;
import org.lenet5.data.Dataset;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.MnistLoader;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.train.TrainingRun;
import org.lenet5.util.BuildInfo;
import org.lenet5.util.Json;
import org.lenet5.util.MachineInfo;
import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** lenet5 bench: training and inference speed on the real dataset, with the machine it ran on. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Time training epochs and inference on the real dataset: for every batch size and thread count, "
                + "untimed warm-up steps, then timed epochs over the whole training set (Adam, lr 1e-3, as the PyTorch "
                + "anchor script), each followed by a timed pass over the test set. Prints the median and range of "
                + "epoch seconds, training and inference images/s, the peak resident memory, the machine and the "
                + "load average before and after (other work on the machine slows every number).",
                "bench/compare-pytorch.sh runs this and the PyTorch script side by side; docs/benchmarks.md has results."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "KIND", converter = Converters.Backend.class,
            description = "cpu, reference, cuda or auto.")
    BackendKind backend;

    @Option(names = "--arch", defaultValue = "flux", paramLabel = "ARCH", converter = Converters.Arch.class,
            description = "flux or classic.")
    Architecture arch;

    @Option(names = "--dataset", defaultValue = "mnist", paramLabel = "NAME", converter = DatasetKindConverter.class,
            description = "mnist or fashion-mnist.")
    DatasetKind dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $" + DataPaths.DATA_DIR_ENV + " if set, else ./data); missing files are fetched.")
    Path dataDir;

    @Option(names = "--batch-size", defaultValue = "32,128", paramLabel = "LIST", description = "Training batch sizes, comma-separated.")
    String batchSizes;

    @Option(names = "--threads", paramLabel = "LIST",
            description = "CPU thread counts, comma-separated (default: all cores).")
    String threads;

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "N", description = "Timed epochs per configuration.")
    int epochs;

    @Option(names = "--warmup", defaultValue = "300", paramLabel = "STEPS",
            description = "Untimed training steps before the timed epochs (and one untimed inference pass).")
    int warmup;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Train on the first N training images per epoch (0: all); epoch seconds are then scaled to "
                    + "the full training set at the measured rate, and the report says so.")
    int limit;

    @Option(names = "--eval-batch-size", defaultValue = "" + TrainingRun.EVAL_BATCH, paramLabel = "N",
            description = "Images per forward pass when timing inference (the batch lenet5 train evaluates with).")
    int evalBatch;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Initial weights and shuffles.")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE ('-': stdout, instead of the table).")
    String json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<Integer> batches = positiveList("--batch-size", batchSizes, 65536);
        List<Integer> threadCounts = threads == null ? List.of(BackendOptions.defaultThreads())
                : positiveList("--threads", threads, 4096);
        if (epochs < 1) throw usage("--epochs must be at least 1 (got " + epochs + ")");
        if (warmup < 0) throw usage("--warmup must be zero or positive (got " + warmup + ")");
        if (limit < 0) throw usage("--limit must be zero (all) or positive (got " + limit + ")");
        if (evalBatch < 1 || evalBatch > 65536) throw usage("--eval-batch-size must be between 1 and 65536 (got " + evalBatch + ")");

        Path jsonFile = json == null || json.equals("-") ? null : jsonPath();   // refused now, not after the timing
        double[] loadAtStart = ProcessStatus.loadAverage();
        TrainTestData files = MnistLoader.load(dataset, dataDir != null ? dataDir : DataPaths.defaultDataDir(), true, System.err);
        Dataset train = files.train();
        if (limit > train.count())
            throw new UserException("--limit " + limit + " is more than the " + train.count() + " training images of " + dataset.id());
        if (limit > 0) train = train.slice(dataset.id() + "/train[0:" + limit + "]", 0, limit);

        List<TrainingBenchmark.Result> results = new ArrayList<>();
        for (int batch : batches)
            for (int t : threadCounts) {
                if (batch > train.count())
                    throw new UserException("--batch-size " + batch + " is more than the " + train.count() + " training images");
                TrainingBenchmark.Config c = new TrainingBenchmark.Config(backend, arch, batch, t, epochs, warmup, evalBatch, seed);
                System.err.printf("bench: %s %s, batch %d, %d thread(s): %d warm-up steps, then %d timed epoch(s)%n",
                        backend, arch, batch, t, warmup, epochs);
                System.gc();   // the previous configuration's buffers are garbage now; keep them out of this one's peak
                results.add(TrainingBenchmark.run(c, train, files.test(), System.err));
            }
        BenchReport report = new BenchReport(MachineInfo.collect(), BuildInfo.collect(), dataset.id(), limit,
                files.train().count(), loadAtStart, ProcessStatus.loadAverage(), results);

        PrintWriter out = spec.commandLine().getOut();
        if ("-".equals(json)) {
            out.print(Json.toJson(report.toMap()));
        } else {
            out.print(report.toText());
            if (json != null) {
                try {
                    Json.write(jsonFile, report.toMap());
                } catch (IOException e) {
                    throw new UserException(json + ": cannot write the JSON results (" + e.getMessage() + ")");
                }
                out.println("\nJSON: " + json);
            }
        }
        out.flush();
        return 0;
    }

    /** --json as a path whose directory exists or can be created (checked before the benchmark runs). */
    private Path jsonPath() {
        try {
            Path p = Path.of(json).toAbsolutePath();
            if (Files.isDirectory(p)) throw new UserException(json + ": is a directory; --json takes a file name");
            for (Path dir = p.getParent(); dir != null; dir = dir.getParent())
                if (Files.exists(dir)) {
                    if (!Files.isDirectory(dir) || !Files.isWritable(dir))
                        throw new UserException(json + ": cannot write the JSON results there (" + dir
                                + (Files.isDirectory(dir) ? " is not writable)" : " is not a directory)"));
                    break;
                }
            return Path.of(json);
        } catch (InvalidPathException e) {
            throw new UserException(json + ": not a valid file name (" + e.getMessage() + ")");
        }
    }

    private List<Integer> positiveList(String option, String list, int max) {
        List<Integer> values = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            int v;
            try {
                v = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw usage(option + " takes whole numbers separated by commas (got '" + list + "')");
            }
            if (v < 1 || v > max) throw usage(option + " values must be between 1 and " + max + " (got " + v + ")");
            values.add(v);
        }
        return values;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
