package org.lenet5.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import org.lenet5.backend.reference.ReferenceBackend;
import org.lenet5.checkpoint.Checkpoint;
import org.lenet5.checkpoint.CheckpointFile;
import org.lenet5.data.Dataset;
import org.lenet5.testing.TrainedModels;
import org.lenet5.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * MNIST test digits turned back into ordinary pictures (enlarged 9x, black ink on white, PNG and JPEG) must be
 * classified by predict as the model classifies the original 28x28 images: the preprocessing rebuilds MNIST's style.
 */
class PredictRealDigitsTest {

    private static final int DIGITS = 60;
    private static final int ZOOM = 9;

    @TempDir Path dir;

    /** Image i of the dataset enlarged by bilinear interpolation, inverted to dark ink on white paper. */
    static BufferedImage asPicture(Dataset d, int i, int zoom) {
        int n = 28, size = n * zoom;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        byte[] px = d.pixels();
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                double sy = (y + 0.5) / zoom - 0.5, sx = (x + 0.5) / zoom - 0.5;
                int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
                double fy = sy - y0, fx = sx - x0, v = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        int yy = Math.max(0, Math.min(n - 1, y0 + dy)), xx = Math.max(0, Math.min(n - 1, x0 + dx));
                        v += (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx) * (px[i * n * n + yy * n + xx] & 0xFF);
                    }
                int g = 255 - (int) Math.round(v);
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        return img;
    }

    @Test
    void picturesOfMnistDigitsGetTheModelsAnswerForTheOriginals() throws IOException {
        Checkpoint ckpt = TrainedModels.smallMnistFlux();
        Dataset test = TrainedModels.mnistTest();
        Path model = dir.resolve("model.lenet5");
        CheckpointFile.write(model, ckpt);

        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--backend", "reference",
                "--top", "1", "--json"));
        List<byte[]> originals = new ArrayList<>();
        for (int i = 0; i < DIGITS; i++) {
            Path f = dir.resolve(String.format("digit%02d.%s", i, i % 3 == 0 ? "jpg" : "png"));
            ImageIO.write(asPicture(test, i, ZOOM), i % 3 == 0 ? "jpg" : "png", f.toFile());
            args.add(f.toString());
            originals.add(Arrays.copyOfRange(test.pixels(), i * 784, (i + 1) * 784));
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        JsonArray predictions = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("predictions");
        assertEquals(DIGITS, predictions.size());

        List<Predictor.Prediction> direct;
        try (ReferenceBackend b = new ReferenceBackend(ckpt.spec(), ckpt.preprocessing(), DIGITS)) {
            ckpt.loadInto(b);
            direct = Predictor.predict(b, originals);
        }
        int agree = 0, rightFromPictures = 0, rightFromOriginals = 0;
        for (int i = 0; i < DIGITS; i++) {
            int fromPicture = predictions.get(i).getAsJsonObject().getAsJsonArray("top").get(0).getAsJsonObject()
                    .get("class").getAsInt();
            if (fromPicture == direct.get(i).best()) agree++;
            if (fromPicture == test.label(i)) rightFromPictures++;
            if (direct.get(i).best() == test.label(i)) rightFromOriginals++;
        }
        System.out.printf("predict on %d enlarged MNIST test digits: %d agree with the model on the originals; "
                + "correct %d (pictures) vs %d (originals)%n", DIGITS, agree, rightFromPictures, rightFromOriginals);
        // Resampling twice (9x up, then down to 20) moves edge pixels by a few grey levels, which may flip a digit
        // the model is unsure of; a wrong crop, scale, polarity or centring would flip most of them.
        assertTrue(agree >= DIGITS - 3, agree + " of " + DIGITS + " agree");
        assertTrue(rightFromPictures >= rightFromOriginals - 3, rightFromPictures + " vs " + rightFromOriginals);
    }
}
