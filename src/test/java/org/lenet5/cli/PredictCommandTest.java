package org.lenet5.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.testing.TestImages;
import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** predict through the command line, with seeded untrained weights (the output format, determinism, refusals). */
class PredictCommandTest {

    @TempDir Path dir;
    Path model, seven;

    static Path writeModel(Path file, Architecture arch, int rows, int cols, long seed) {
        return writeModel(file, arch, rows, cols, seed, "mnist");
    }

    static Path writeModel(Path file, Architecture arch, int rows, int cols, long seed, String dataset) {
        ModelSpec spec = ModelSpec.forImages(arch, rows, cols);
        CheckpointFile.write(file, new Checkpoint(spec, Preprocessing.forArchitecture(arch, rows, cols),
                Initializer.initialParameters(spec, seed), Map.of(Checkpoint.DATASET, dataset)));
        return file;
    }

    @BeforeEach
    void setUp() throws IOException {
        model = writeModel(dir.resolve("model.lenet5"), Architecture.FLUX, 28, 28, 5);
        seven = dir.resolve("seven.png");
        ImageIO.write(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "png",
                seven.toFile());
    }

    @Test
    void printsTheTopClassesWithProbabilitiesPerImage() {
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", "--top", "4",
                seven.toString(), seven.toString());
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches(java.util.regex.Pattern.quote(seven.toString())
                + ":(  \\d \\(\\d{1,3}\\.\\d\\d%\\)){4}"), lines[0]);
        assertEquals(lines[0], lines[1], "the same picture gets the same answer");
    }

    @Test
    void aFashionMnistModelNamesItsClassesInTextAndJson() {
        Path fashion = writeModel(dir.resolve("fashion.lenet5"), Architecture.FLUX, 28, 28, 5, "fashion-mnist");
        CliRun r = CliRun.of("predict", "--model", fashion.toString(), "--backend", "reference", "--top", "10", seven.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String name : List.of("0 T-shirt/top (", "1 Trouser (", "5 Sandal (", "9 Ankle boot ("))
            assertTrue(r.out().contains(name), name + " in " + r.out());
        CliRun j = CliRun.of("predict", "--model", fashion.toString(), "--backend", "reference", "--json", "--top", "10", seven.toString());
        assertTrue(j.out().contains("\"name\": \"Ankle boot\""), j.out());
        CliRun digits = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", "--json", seven.toString());
        assertFalse(digits.out().contains("\"name\""), "digit classes need no name: " + digits.out());
    }

    @Test
    void runningTwiceGivesIdenticalOutput() throws IOException {
        Path jpg = dir.resolve("seven.jpg");
        ImageIO.write(TestImages.drawSeven(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "jpg",
                jpg.toFile());
        String[] args = {"predict", "--model", model.toString(), "--backend", "reference", "--top", "10", "--show",
                seven.toString(), jpg.toString()};
        CliRun a = CliRun.of(args), b = CliRun.of(args);
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(a.out(), b.out());
        assertTrue(a.out().contains("|"), "--show prints the input");
    }

    @Test
    void jsonHasTheProbabilitiesSortedAndTheyMatchTheText() {
        CliRun text = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", "--top", "10",
                seven.toString());
        CliRun json = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", "--top", "10", "--json",
                seven.toString());
        assertEquals(0, json.exitCode(), json.err());
        JsonObject doc = JsonParser.parseString(json.out()).getAsJsonObject();
        assertEquals("reference", doc.get("backend").getAsString());
        var top = doc.getAsJsonArray("predictions").get(0).getAsJsonObject().getAsJsonArray("top");
        assertEquals(10, top.size());
        double sum = 0, previous = 2;
        StringBuilder expected = new StringBuilder(seven + ":");
        for (var e : top) {
            double p = e.getAsJsonObject().get("probability").getAsDouble();
            int k = e.getAsJsonObject().get("class").getAsInt();
            assertTrue(p <= previous, "sorted by probability");
            previous = p;
            sum += p;
            expected.append(String.format("  %d (%.2f%%)", k, 100 * p));
        }
        assertEquals(1.0, sum, 1e-5, "softmax in float32 sums to 1 within rounding of ten values");
        assertEquals(expected + "\n", text.out());
    }

    @Test
    void classicModelGetsThePaddedInput() {
        Path classic = writeModel(dir.resolve("classic.lenet5"), Architecture.CLASSIC, 28, 28, 6);
        CliRun r = CliRun.of("predict", "--model", classic.toString(), "--backend", "reference", seven.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith(seven + ":  "), r.out());
    }

    @Test
    void bombTextFileAndBlankPictureAreRefusedWithOneLineNamingTheFile() throws IOException {
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, TestImages.pngHeader(100_000, 100_000));
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not a picture");
        Path blank = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY), "png", blank.toFile());
        for (Path bad : new Path[]{bomb, text, blank}) {
            CliRun r = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", seven.toString(),
                    bad.toString());
            assertEquals(1, r.exitCode());
            assertEquals("", r.out(), "nothing printed for the good image either");
            assertTrue(r.err().startsWith("error: " + bad + " "), r.err());
            assertEquals(1, r.err().split("\n").length, r.err());
        }
    }

    @Test
    void modelForOtherImageSizesIsRefused() {
        Path wide = writeModel(dir.resolve("wide.lenet5"), Architecture.FLUX, 28, 36, 1);
        CliRun r = CliRun.of("predict", "--model", wide.toString(), "--backend", "reference", seven.toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: " + wide + " takes 28x36 images; predict makes 28x28 MNIST-style inputs and needs a model"
                + " trained on 28x28 images\n", r.err());
    }

    @Test
    void corruptModelIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        bytes[100] ^= 1;
        Files.write(model, bytes);
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--backend", "reference", seven.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: " + model + " is corrupted: its CRC32 is "), r.err());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, CliRun.of("predict", "--model", model.toString(), "--top", "11", seven.toString()).exitCode());
        assertEquals(2, CliRun.of("predict", "--model", model.toString()).exitCode(), "no image");
        assertEquals(2, CliRun.of("predict", seven.toString()).exitCode(), "no model");
    }
}
