package org.lenet5.cli;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.data.DataPaths;
import org.lenet5.data.Dataset;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.HashCheck;
import org.lenet5.data.MnistLoader;
import org.lenet5.model.ModelSpec;
import org.lenet5.train.EvaluationResult;
import org.lenet5.train.Evaluator;
import org.lenet5.util.Json;
import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** lenet5 evaluate: a checkpoint's accuracy and loss on a test set, per class and as a confusion matrix. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Evaluate a trained model on the test set: accuracy, mean cross-entropy loss, accuracy per class "
                + "and the confusion matrix.",
                "The result does not depend on --batch-size (every image is computed on its own and the loss is "
                        + "summed in image order)."})
public final class EvaluateCommand implements Callable<Integer> {

    public static final int DEFAULT_BATCH = 500;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "Checkpoint to evaluate (model.lenet5 in a run directory).")
    Path model;

    @Option(names = "--dataset", paramLabel = "NAME", converter = DatasetKindConverter.class,
            completionCandidates = DatasetKindConverter.Ids.class,
            description = "Test set: ${COMPLETION-CANDIDATES} (default: the dataset the checkpoint records, else mnist).")
    DatasetKind dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $" + DataPaths.DATA_DIR_ENV + " if set, else ./data); "
                    + "missing files are fetched.")
    Path dataDir;

    @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH, paramLabel = "N",
            description = "Images per forward pass (memory only; the result is the same for every value).")
    int batchSize;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "KIND", converter = Converters.Backend.class,
            description = "auto, cpu, reference or cuda.")
    BackendKind backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the cpu backend (default: all cores).")
    Integer threads;

    @Option(names = "--no-verify",
            description = "Skip the SHA-256 check of the test files (for your own data in IDX form under --data-dir).")
    boolean noVerify;

    @Option(names = "--json", description = "Print the result as JSON instead of tables.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (batchSize < 1 || batchSize > 65536)
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--batch-size must be between 1 and 65536 (got " + batchSize + ")");
        if (threads != null && threads < 1)
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1 (got " + threads + ")");
        Checkpoint ckpt = CheckpointFile.read(model);
        DatasetKind kind = datasetFor(ckpt);
        Dataset test = MnistLoader.loadTestSet(kind, dataDir != null ? dataDir : DataPaths.defaultDataDir(), true,
                noVerify ? HashCheck.SKIP : HashCheck.VERIFY, System.err);
        if (test.rows() != ckpt.preprocessing().imageRows() || test.cols() != ckpt.preprocessing().imageCols())
            throw new UserException(model + " takes " + ckpt.preprocessing().imageRows() + "x"
                    + ckpt.preprocessing().imageCols() + " images but the " + kind.id() + " test images are "
                    + test.rows() + "x" + test.cols());

        BackendOptions options = new BackendOptions(backend, threads == null ? BackendOptions.defaultThreads() : threads, false);
        int batch = Math.min(batchSize, test.count());
        EvaluationResult r;
        String backendName;
        try (Backend b = Backends.create(options, ckpt.spec(), ckpt.preprocessing(), batch, System.err)) {
            ckpt.loadInto(b);
            r = new Evaluator(b, batch).evaluate(test);
            backendName = b.name();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.toJson(toMap(ckpt, kind, backendName, r)) : tables(ckpt, kind, backendName, r));
        out.flush();
        return 0;
    }

    /** --dataset, else the one the checkpoint was trained on, else MNIST. */
    private DatasetKind datasetFor(Checkpoint ckpt) {
        String recorded = ckpt.get(Checkpoint.DATASET);
        if (dataset != null) {
            if (recorded != null && !recorded.equals(dataset.id()))
                spec.commandLine().getErr().println("notice: " + model + " was trained on " + recorded + "; evaluating it on "
                        + dataset.id() + " as --dataset asks");
            return dataset;
        }
        if (recorded == null) return DatasetKind.MNIST;
        try {
            return DatasetKind.parse(recorded);
        } catch (IllegalArgumentException e) {
            throw new UserException(model + " was trained on '" + recorded + "', which lenet5 cannot load; choose a test"
                    + " set with --dataset mnist or --dataset fashion-mnist");
        }
    }

    private Map<String, Object> toMap(Checkpoint ckpt, DatasetKind kind, String backendName, EvaluationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("arch", ckpt.spec().arch().id());
        m.put("dataset", kind.id());
        m.put("backend", backendName);
        m.put("images", r.count());
        m.put("correct", r.correct());
        m.put("accuracy", r.accuracy());
        m.put("loss", r.meanLoss());
        List<Map<String, Object>> classes = new ArrayList<>();
        for (int k = 0; k < ModelSpec.CLASSES; k++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", k);
            c.put("images", r.classCount(k));
            c.put("correct", r.confusion()[k][k]);
            c.put("accuracy", r.classCount(k) == 0 ? null : r.classAccuracy(k));
            classes.add(c);
        }
        m.put("per_class", classes);
        m.put("confusion", r.confusion());   // confusion[true class][predicted class]
        return m;
    }

    private String tables(Checkpoint ckpt, DatasetKind kind, String backendName, EvaluationResult r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("model     %s (%s, %,d parameters)%n", model, ckpt.spec(), ckpt.parameters().length));
        s.append(String.format("test set  %s, %d images%n", kind.id(), r.count()));
        s.append(String.format("backend   %s%n", backendName));
        s.append(String.format("accuracy  %.2f%% (%d of %d)%n", 100 * r.accuracy(), r.correct(), r.count()));
        s.append(String.format("loss      %.6f (mean cross-entropy)%n%n", r.meanLoss()));

        s.append(String.format("%-5s  %6s  %7s  %8s%n", "class", "images", "correct", "accuracy"));
        for (int k = 0; k < ModelSpec.CLASSES; k++)
            s.append(String.format("%-5d  %6d  %7d  %8s%n", k, r.classCount(k), r.confusion()[k][k], percent(r.classAccuracy(k))));
        s.append(String.format("%-5s  %6d  %7d  %8s%n%n", "all", r.count(), r.correct(), percent(r.accuracy())));

        s.append("confusion matrix (rows: true class, columns: predicted class)\n");
        long largest = 0;
        for (long[] row : r.confusion()) for (long v : row) largest = Math.max(largest, v);
        int w = Math.max(4, Long.toString(largest).length());
        StringBuilder header = new StringBuilder(String.format("%-10s", "true\\pred"));
        for (int k = 0; k < ModelSpec.CLASSES; k++) header.append(String.format(" %" + w + "d", k));
        s.append(header).append('\n');
        for (int t = 0; t < ModelSpec.CLASSES; t++) {
            StringBuilder row = new StringBuilder(String.format("%-10d", t));
            for (int p = 0; p < ModelSpec.CLASSES; p++) row.append(String.format(" %" + w + "d", r.confusion()[t][p]));
            s.append(row).append('\n');
        }
        return s.toString();
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format("%.2f%%", 100 * fraction);
    }
}
