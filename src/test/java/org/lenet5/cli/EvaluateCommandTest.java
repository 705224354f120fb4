package org.lenet5.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.lenet5.TestData;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.model.Architecture;
import org.lenet5.testing.TrainedModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** evaluate on the real MNIST test set with a briefly trained model, reference backend. */
class EvaluateCommandTest {

    @TempDir Path dir;
    Path model;
    String dataDir;

    @BeforeEach
    void setUp() {
        model = dir.resolve("model.lenet5");
        CheckpointFile.write(model, TrainedModels.smallMnistFlux());
        dataDir = TestData.dataDir().toString();
    }

    private JsonObject evaluateJson(int batch) {
        CliRun r = CliRun.of("evaluate", "--model", model.toString(), "--data-dir", dataDir, "--backend", "reference",
                "--batch-size", Integer.toString(batch), "--json");
        assertEquals(0, r.exitCode(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void resultDoesNotDependOnTheBatchSize() {
        // 1: every image alone; 333: the last batch holds 10 images; 1000: ten full batches.
        JsonObject one = evaluateJson(1), odd = evaluateJson(333), big = evaluateJson(1000);
        for (JsonObject other : new JsonObject[]{odd, big}) {
            assertEquals(one.get("correct").getAsInt(), other.get("correct").getAsInt());
            assertEquals(one.get("accuracy").getAsDouble(), other.get("accuracy").getAsDouble(), 0.0);
            assertEquals(one.get("confusion"), other.get("confusion"));
            assertEquals(one.get("per_class"), other.get("per_class"));
            // Each image's loss is computed alone and summed in image order: equal to within 1e-9 relative.
            double a = one.get("loss").getAsDouble(), b = other.get("loss").getAsDouble();
            assertEquals(a, b, 1e-9 * Math.abs(a));
        }
        assertEquals(10_000, one.get("images").getAsInt());
        // 2 epochs on 3,000 images: about 90% (seeded, so this is the same number every run).
        double accuracy = one.get("accuracy").getAsDouble();
        assertTrue(accuracy > 0.85 && accuracy < 0.99, "accuracy " + accuracy);
        double loss = one.get("loss").getAsDouble();
        assertTrue(loss > 0.05 && loss < 0.6, "loss " + loss);
    }

    @Test
    void tablesAgreeWithTheJson() {
        JsonObject j = evaluateJson(1000);
        CliRun r = CliRun.of("evaluate", "--model", model.toString(), "--data-dir", dataDir, "--backend", "reference");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        int correct = j.get("correct").getAsInt();
        assertTrue(out.contains(String.format("accuracy  %.2f%% (%d of 10000)", correct / 100.0, correct)), out);
        assertTrue(out.contains(String.format("loss      %.6f (mean cross-entropy)", j.get("loss").getAsDouble())), out);
        assertTrue(out.contains("test set  mnist, 10000 images"), "dataset taken from the checkpoint: " + out);

        // Per-class rows: class, images, correct, accuracy; the images per class of the MNIST test set.
        int[] perClass = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
        JsonArray confusion = j.getAsJsonArray("confusion");
        for (int k = 0; k < 10; k++) {
            long diag = confusion.get(k).getAsJsonArray().get(k).getAsLong();
            String row = String.format("%-5d  %6d  %7d  %7.2f%%", k, perClass[k], diag, 100.0 * diag / perClass[k]);
            assertTrue(out.contains(row + "\n"), "row " + row + " in\n" + out);
        }
        // Confusion matrix rows: the label's count spread over the predictions, in aligned columns.
        String[] lines = out.split("\n");
        int header = -1;
        for (int i = 0; i < lines.length; i++) if (lines[i].startsWith("true\\pred")) header = i;
        assertTrue(header > 0, out);
        for (int t = 0; t < 10; t++) {
            String[] cells = lines[header + 1 + t].trim().split(" +");
            assertEquals(11, cells.length, lines[header + 1 + t]);
            assertEquals(Integer.toString(t), cells[0]);
            long sum = 0;
            for (int p = 0; p < 10; p++) {
                long v = Long.parseLong(cells[p + 1]);
                assertEquals(confusion.get(t).getAsJsonArray().get(p).getAsLong(), v);
                sum += v;
            }
            assertEquals(perClass[t], sum);
            assertEquals(lines[header].length(), lines[header + 1 + t].length(), "aligned");
        }
    }

    @Test
    void modelForOtherImageSizesIsRefused() {
        Path wide = PredictCommandTest.writeModel(dir.resolve("wide.lenet5"), Architecture.FLUX, 28, 36, 1);
        CliRun r = CliRun.of("evaluate", "--model", wide.toString(), "--data-dir", dataDir, "--backend", "reference");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().endsWith("error: " + wide + " takes 28x36 images but the mnist test images are 28x28\n"), r.err());
    }

    @Test
    void evaluatingOnAnotherDatasetThanTheModelsSaysSo() {
        Path fashion = PredictCommandTest.writeModel(dir.resolve("fashion.lenet5"), Architecture.FLUX, 28, 28, 1, "fashion-mnist");
        CliRun r = CliRun.of("evaluate", "--model", fashion.toString(), "--dataset", "mnist", "--data-dir", dataDir,
                "--backend", "cpu", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("notice: " + fashion + " was trained on fashion-mnist; evaluating it on mnist as"
                + " --dataset asks\n"), r.err());
    }

    @Test
    void missingModelAndBadBatchSizeAreReported() {
        Path none = dir.resolve("none.lenet5");
        CliRun r = CliRun.of("evaluate", "--model", none.toString(), "--data-dir", dataDir);
        assertEquals(1, r.exitCode());
        assertEquals("error: checkpoint " + none + " does not exist\n", r.err());
        assertEquals(2, CliRun.of("evaluate", "--model", model.toString(), "--batch-size", "0").exitCode());
        assertEquals(2, CliRun.of("evaluate", "--model", model.toString(), "--dataset", "cifar").exitCode());
    }
}
