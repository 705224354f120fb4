package org.lenet5.cli;

import org.lenet5.backend.Backend;
import org.lenet5.backend.BackendKind;
import org.lenet5.backend.BackendOptions;
import org.lenet5.backend.Backends;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.DigitImagePreprocessor;
import org.lenet5.train.Predictor;
import org.lenet5.util.Json;
import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** lenet5 predict: the most probable classes for pictures (PNG or JPEG up to 50 megapixels). */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {
                "Classify pictures of single digits with a trained model.",
                "Each picture (PNG or JPEG, up to 50 megapixels and 20,000 pixels a side) is made into an MNIST-like 28x28 input: greyscale, inverted when "
                        + "the background is light, cropped to the ink, the longer side scaled to 20 pixels and centred "
                        + "by its centre of mass. Prints the most probable classes with their probabilities."})
public final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "Checkpoint to use (model.lenet5 in a run directory).")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files, one digit each.")
    List<Path> images;

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "Classes to print per image (1-10).")
    int top;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "KIND", converter = Converters.Backend.class,
            description = "auto, cpu, reference or cuda.")
    BackendKind backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the cpu backend (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "Print the predictions as JSON instead of text.")
    boolean json;

    @Option(names = "--show", description = "Also print each 28x28 network input as text art (what the model sees).")
    boolean show;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (top < 1 || top > 10)
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be between 1 and 10 (got " + top + ")");
        if (threads != null && threads < 1)
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1 (got " + threads + ")");
        Checkpoint ckpt = CheckpointFile.read(model);
        int rows = ckpt.preprocessing().imageRows(), cols = ckpt.preprocessing().imageCols();
        if (rows != DigitImagePreprocessor.SIZE || cols != DigitImagePreprocessor.SIZE)
            throw new UserException(model + " takes " + rows + "x" + cols + " images; predict makes 28x28 MNIST-style"
                    + " inputs and needs a model trained on 28x28 images");
        // Every picture is checked and converted before the model runs, so an error leaves no partial output.
        List<byte[]> inputs = new ArrayList<>();
        for (Path image : images) inputs.add(DigitImagePreprocessor.fromFile(image));

        BackendOptions options = new BackendOptions(backend, threads == null ? BackendOptions.defaultThreads() : threads, false);
        List<Predictor.Prediction> predictions;
        String backendName;
        try (Backend b = Backends.create(options, ckpt.spec(), ckpt.preprocessing(), Math.min(inputs.size(), 256), System.err)) {
            ckpt.loadInto(b);
            predictions = Predictor.predict(b, inputs);
            backendName = b.name();
        }

        DatasetKind trainedOn = trainedOn(ckpt);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("image", images.get(i).toString());
                List<Map<String, Object>> ranked = new ArrayList<>();
                for (int k : predictions.get(i).top(top)) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("class", k);
                    if (!trainedOn.digitLabels()) c.put("name", trainedOn.className(k));
                    c.put("probability", (double) predictions.get(i).probability(k));
                    ranked.add(c);
                }
                m.put("top", ranked);
                list.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", model.toString());
            doc.put("backend", backendName);
            doc.put("predictions", list);
            out.print(Json.toJson(doc));
        } else {
            for (int i = 0; i < images.size(); i++) {
                if (show) out.print(textArt(inputs.get(i)));
                StringBuilder line = new StringBuilder(images.get(i).toString()).append(':');
                for (int k : predictions.get(i).top(top))
                    line.append(String.format("  %d%s (%.2f%%)", k, trainedOn.digitLabels() ? "" : " " + trainedOn.className(k),
                            100.0 * predictions.get(i).probability(k)));
                out.println(line);
            }
        }
        out.flush();
        return 0;
    }

    /** The dataset the model was trained on (its labels' meaning); MNIST when the checkpoint does not say. */
    private static DatasetKind trainedOn(Checkpoint ckpt) {
        String recorded = ckpt.get(Checkpoint.DATASET);
        if (recorded == null) return DatasetKind.MNIST;
        try {
            return DatasetKind.parse(recorded);
        } catch (IllegalArgumentException e) {
            return DatasetKind.MNIST;
        }
    }

    /** The 28x28 input in characters by ink level: ' ' none, '.' < 64, ':' < 128, 'o' < 192, '#' above. */
    static String textArt(byte[] img) {
        StringBuilder sb = new StringBuilder();
        int n = DigitImagePreprocessor.SIZE;
        for (int y = 0; y < n; y++) {
            sb.append('|');
            for (int x = 0; x < n; x++) {
                int v = img[y * n + x] & 0xFF;
                sb.append(v == 0 ? ' ' : v < 64 ? '.' : v < 128 ? ':' : v < 192 ? 'o' : '#');
            }
            sb.append("|\n");
        }
        return sb.toString();
    }
}
