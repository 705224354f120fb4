package org.lenet5.sweep;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.backend.BackendKind;
import org.lenet5.data.TrainTestData;
import org.lenet5.model.Architecture;
import org.lenet5.train.DataSplits;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import org.lenet5.train.RunDirectory;
import org.lenet5.util.BuildInfo;
import org.lenet5.util.GpuDescription;
import org.lenet5.util.MachineInfo;
import org.lenet5.util.UserException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole sweeps on real MNIST with the reference backend, kept small (600 training, 300 validation and 500 test
 * images, one epoch: about a second per trial) because the reference backend is the slow float64 oracle.
 */
class SweepTest {

    static DataSplits data;

    @TempDir Path tmp;

    @BeforeAll
    static void loadMnist() {
        TrainTestData mnist = TestData.mnist();
        data = DataSplits.of(mnist.train(), mnist.test().slice("mnist/test[0:500]", 0, 500), 300, 600);
    }

    static final FixedSettings FIXED = new FixedSettings(Architecture.FLUX, "mnist", 1, LrSchedule.CONSTANT, 600, 300,
            BackendKind.REFERENCE, false);
    static final Sweep.TrainDefaults DEFAULTS = new Sweep.TrainDefaults(
            new TrialSettings(32, 1e-3f, 0f, OptimizerKind.ADAM), 12, "cosine");
    static final Environment ENV = new Environment(MachineInfo.collect(), GpuDescription.none("no GPU in this test"),
            BuildInfo.collect());

    record Run(Sweep.Result result, String out, String err) {}

    static Run sweep(Path out, String batch, String lr, String l2, String optimizer, int seeds, int parallel) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        Sweep.Request req = new Sweep.Request(SearchMode.GRID, 0, seeds, 1, FIXED, parallel, parallel, out);
        Sweep.Result r = Sweep.run(req, best -> SearchSpaceParser.parse(batch, lr, l2, optimizer, best), data, DEFAULTS, ENV,
                new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(r, o.toString(), e.toString());
    }

    static List<String[]> csvRows(Path sweepDir) throws Exception {
        List<String> lines = Files.readAllLines(sweepDir.resolve(SweepDirectory.RESULTS_CSV));
        assertEquals(ResultsCsv.HEADER, lines.get(0));
        List<String[]> rows = new ArrayList<>();
        // Test rows hold no quoted cells except the message, which is last; split the others on commas.
        for (String l : lines.subList(1, lines.size())) rows.add(l.split(",", 24));
        return rows;
    }

    static int column(String name) { return Arrays.asList(ResultsCsv.HEADER.split(",")).indexOf(name); }

    @Test
    void twoByTwoGridWritesOneRowPerTrialValidChartsAndAReportNamingTheBestConfiguration() throws Exception {
        Path out = tmp.resolve("grid");
        Run run = sweep(out, "32,64", "1e-3,3e-3", "0", "adam", 1, 2);
        assertEquals(4, run.result().summary().ran());

        List<String[]> rows = csvRows(out);
        assertEquals(4, rows.size());
        List<String> ids = rows.stream().map(r -> r[0]).toList();
        assertEquals(List.of("batch32_lr1e-3_l2-0_adam_seed1", "batch32_lr3e-3_l2-0_adam_seed1",
                "batch64_lr1e-3_l2-0_adam_seed1", "batch64_lr3e-3_l2-0_adam_seed1"), ids);
        String[] best = null;
        for (String[] r : rows) {
            assertEquals("ok", r[column("status")]);
            assertEquals("1", r[column("epochs")]);
            assertEquals("reference", r[column("backend")]);
            double val = Double.parseDouble(r[column("final_validation_accuracy")]);
            // After one epoch on 600 images Adam is far above chance (10%) but far from done.
            assertTrue(val > 0.3 && val < 1.0, "validation accuracy " + val);
            assertEquals(val, Double.parseDouble(r[column("best_validation_accuracy")]), 0, "one epoch: final is best");
            double test = Double.parseDouble(r[column("test_accuracy")]);
            assertTrue(test > 0.3 && test < 1.0, "test accuracy " + test);
            assertTrue(Files.exists(out.resolve("trials").resolve(r[0]).resolve(RunDirectory.MODEL)));
            if (best == null || val > Double.parseDouble(best[column("final_validation_accuracy")])) best = r;
        }
        String bestLabel = "batch " + best[1] + " lr " + best[2] + " l2 " + best[3] + " " + best[4];

        for (String chart : List.of("validation_vs_batch_size.png", "validation_vs_lr.png", "validation_vs_l2.png", "training_curves.png")) {
            BufferedImage img = ImageIO.read(out.resolve("charts").resolve(chart).toFile());
            assertNotNull(img, chart + " is not a readable PNG");
            assertEquals(SweepCharts.WIDTH, img.getWidth(), chart);
            assertEquals(chart.equals("training_curves.png") ? SweepCharts.CURVES_HEIGHT : SweepCharts.HEIGHT, img.getHeight(), chart);
        }

        String md = Files.readString(out.resolve(SweepReport.MARKDOWN));
        String bestSection = md.substring(md.indexOf("## Best configuration"), md.indexOf("## All configurations"));
        assertTrue(bestSection.contains("**" + bestLabel + "**"), bestSection);
        assertTrue(bestSection.contains("were among the trials"), "batch 32 lr 1e-3 l2 0 adam are the train defaults: " + bestSection);
        String env = md.substring(md.indexOf("## Training environment"));
        for (String row : List.of("| CPU |", "| CPU cores |", "| Memory |", "| GPU | none", "| CUDA |", "| cuDNN |",
                "| cuBLAS |", "| Java |", "| OS |", "| lenet5 |", "| git commit |"))
            assertTrue(env.contains(row), row + " missing from\n" + env);
        assertTrue(md.contains("![Validation accuracy against learning rate](charts/validation_vs_lr.png)"));

        String html = Files.readString(out.resolve(SweepReport.HTML));
        assertEquals(4, html.split("src=\"data:image/png;base64,", -1).length - 1, "four embedded charts");
        assertFalse(html.contains("src=\"charts/"), "the HTML report must not depend on the chart files");
        assertTrue(html.contains("<strong>" + bestLabel + "</strong>"));
        assertTrue(run.out().contains("[4/4] "), run.out());
        assertTrue(run.out().contains("best (mean validation accuracy over 1 seed): " + bestLabel), run.out());
    }

    @Test
    void restartKeepsFinishedTrialsRunsTheRestAndRedoesAnInterruptedOne() throws Exception {
        Path out = tmp.resolve("resume");
        Run first = sweep(out, "32,64", "1e-3", "0", "adam", 1, 1);
        assertEquals(2, first.result().summary().ran());
        Path kept = out.resolve("trials/batch32_lr1e-3_l2-0_adam_seed1/trial.json");
        byte[] keptBefore = Files.readAllBytes(kept);

        // A wider grid in the same directory: the two finished trials are kept, only the two new ones run.
        Run second = sweep(out, "32,64", "1e-3,3e-3", "0", "adam", 1, 1);
        assertEquals(2, second.result().summary().ran());
        assertEquals(2, second.result().summary().kept());
        assertArrayEquals(keptBefore, Files.readAllBytes(kept), "a kept trial is not touched");
        assertTrue(second.out().contains("2 finished earlier and kept, 2 to run"), second.out());
        assertTrue(second.out().contains("[3/4] ") && second.out().contains("[4/4] "), second.out());
        assertEquals(4, csvRows(out).size());

        // A trial interrupted after writing its checkpoint and metrics but before its trial.json is run again
        // from scratch (the run directory would refuse a directory that already holds a run).
        Path interrupted = out.resolve("trials/batch64_lr3e-3_l2-0_adam_seed1");
        Files.delete(interrupted.resolve(SweepDirectory.TRIAL_JSON));
        assertTrue(Files.exists(interrupted.resolve(RunDirectory.METRICS)));
        Run third = sweep(out, "32,64", "1e-3,3e-3", "0", "adam", 1, 1);
        assertEquals(1, third.result().summary().ran());
        assertEquals(3, third.result().summary().kept());
        assertTrue(Files.exists(interrupted.resolve(SweepDirectory.TRIAL_JSON)));
        assertTrue(third.out().contains("[4/4] batch 64 lr 3e-3 l2 0 adam seed 1: val "), third.out());
    }

    @Test
    void divergingTrialIsMarkedWithItsEpochAndStepKeepsNoCheckpointAndTheOthersComplete() throws Exception {
        Path out = tmp.resolve("diverge");
        Run run = sweep(out, "32", "1e-2,1e6", "0", "sgd", 1, 1);
        assertEquals(2, run.result().summary().ran());
        List<String[]> rows = csvRows(out);
        String[] ok = rows.get(0), diverged = rows.get(1);
        assertEquals("batch32_lr1e-2_l2-0_sgd_seed1", ok[0]);
        assertEquals("ok", ok[column("status")]);
        assertEquals("", ok[column("diverged_step")]);
        assertEquals("batch32_lr1e6_l2-0_sgd_seed1", diverged[0]);
        assertEquals("diverged", diverged[column("status")]);
        assertEquals("1", diverged[column("diverged_epoch")]);
        long step = Long.parseLong(diverged[column("diverged_step")]);
        // 600 images at batch 32: 19 steps in the epoch; lr 1e6 blows up within it.
        assertTrue(step >= 1 && step <= 19, "step " + step);

        Path divergedDir = out.resolve("trials").resolve(diverged[0]);
        assertFalse(Files.exists(divergedDir.resolve(RunDirectory.MODEL)), "a diverged trial keeps no checkpoint");
        assertTrue(Files.exists(out.resolve("trials").resolve(ok[0]).resolve(RunDirectory.MODEL)));
        assertTrue(run.out().contains("lr 1e6 l2 0 sgd seed 1: diverged at epoch 1, step " + step), run.out());

        String md = Files.readString(out.resolve(SweepReport.MARKDOWN));
        assertTrue(md.contains("| " + diverged[0] + " | diverged | 1 | " + step + " |"), md);
        assertTrue(md.contains("**batch 32 lr 1e-2 l2 0 sgd**"), "the only finished configuration is the best");

        // A diverged trial is finished: a restart does not run it again.
        assertEquals(0, sweep(out, "32", "1e-2,1e6", "0", "sgd", 1, 1).result().summary().ran());

        // A second stage builds on the best finished configuration: lr "best" is 1e-2 (1e6 diverged).
        Run stage2 = sweep(out, "32", "best", "1e-4", "sgd", 1, 1);
        assertEquals(1, stage2.result().summary().ran());
        assertTrue(Files.exists(out.resolve("trials/batch32_lr1e-2_l2-1e-4_sgd_seed1/trial.json")));
        assertEquals(3, csvRows(out).size(), "the report and results cover both stages");
        assertTrue(Files.readString(out.resolve(SweepReport.MARKDOWN)).contains(
                "| search (the latest command) | grid, 1 configuration, 1 seed; the directory holds 3 configurations"
                        + " from this and earlier commands |"), "the settings row says it describes the latest command only");
    }

    @Test
    void aSweepInWhichEveryTrialDivergesFailsNamingTheCountsAndStillWritesItsResults() throws Exception {
        Path out = tmp.resolve("all-diverge");
        UserException e = assertThrows(UserException.class, () -> sweep(out, "32", "1e6,1e7", "0", "sgd", 1, 1));
        assertEquals("no configuration finished all its seeds (2 trials diverged, 0 failed); see "
                + out.resolve(SweepReport.MARKDOWN), e.getMessage());
        List<String[]> rows = csvRows(out);
        assertEquals(2, rows.size());
        for (String[] r : rows) assertEquals("diverged", r[column("status")]);
        assertTrue(Files.readString(out.resolve(SweepReport.MARKDOWN)).contains("| " + rows.get(0)[0] + " | diverged | 1 |"));
    }

    @Test
    void restartWithOtherFixedFlagsIsRefusedNamingTheFlag() throws Exception {
        Path out = tmp.resolve("fixed");
        try (SweepDirectory d = SweepDirectory.open(out, FIXED)) {
            d.startTrial(new Trial(new TrialSettings(32, 1e-3f, 0f, OptimizerKind.ADAM), 1), "mnist").close();   // a sweep that began
        }
        FixedSettings moreEpochs = new FixedSettings(Architecture.FLUX, "mnist", 2, LrSchedule.CONSTANT, 600, 300,
                BackendKind.REFERENCE, false);
        UserException e = assertThrows(UserException.class, () -> SweepDirectory.open(out, moreEpochs));
        assertEquals(out + " holds a sweep with --epochs 1 but this one has 2; use the same fixed flags to continue it, "
                + "or another --out", e.getMessage());
    }

    @Test
    void aSweepStoppedBeforeItsFirstTrialLeavesNoSweepThatWouldBindTheNextOne() throws Exception {
        Path out = tmp.resolve("never");
        UserException e = assertThrows(UserException.class, () -> sweep(out, "best", "1e-3", "0", "adam", 1, 1));
        assertTrue(e.getMessage().startsWith("--batch-size best: there is no finished trial in --out yet"), e.getMessage());
        assertFalse(Files.exists(out), "the directory this sweep created is removed again");
        // So the first stage, run there next with other fixed flags, is not refused as a different sweep.
        FixedSettings moreEpochs = new FixedSettings(Architecture.FLUX, "mnist", 2, LrSchedule.CONSTANT, 600, 300,
                BackendKind.REFERENCE, false);
        SweepDirectory.open(out, moreEpochs).close();

        // A directory of the user's that was empty stays, and stays empty.
        Path mine = tmp.resolve("mine");
        Files.createDirectories(mine);
        assertThrows(UserException.class, () -> sweep(mine, "best", "1e-3", "0", "adam", 1, 1));
        try (var entries = Files.list(mine)) {
            assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void secondSweepInTheSameDirectoryIsRefusedWhileTheFirstHoldsIt() {
        Path out = tmp.resolve("locked");
        try (SweepDirectory first = SweepDirectory.open(out, FIXED)) {
            UserException e = assertThrows(UserException.class, () -> SweepDirectory.open(out, FIXED));
            assertTrue(e.getMessage().contains("another sweep is running in this directory"), e.getMessage());
        }
        SweepDirectory.open(out, FIXED).close();   // released when the first closes
    }

    @Test
    void bestTakesTheValueOfTheBestFinishedConfiguration() {
        SearchSpace s = SearchSpaceParser.parse("best", "3e-4", "1e-2,1e-4", "adam",
                Optional.of(new TrialSettings(64, 1e-3f, 0f, OptimizerKind.SGD)));
        assertEquals(List.of(64), s.batchSizes());
    }
}
