package org.lenet5.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lenet5.train.EpochMetrics;
import org.lenet5.train.TrainingListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on stderr during each epoch (only when a terminal is attached) and one line per epoch on stdout.
 */
final class ConsoleTrainingListener implements TrainingListener {

    private final PrintWriter out;
    private final boolean interactive;
    private ProgressBar bar;

    ConsoleTrainingListener(PrintWriter out) {
        this.out = out;
        this.interactive = System.console() != null;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int images) {
        if (!interactive) return;
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(images).setUnit(" img", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .showSpeed().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .clearDisplayOnFinish().build();
    }

    @Override
    public void batchFinished(int images, double runningLoss) {
        if (bar == null) return;
        bar.stepBy(images);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", runningLoss));
    }

    @Override
    public void epochFinished(EpochMetrics m, int epochs) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.println(line(m, epochs));
        out.flush();
    }

    static String line(EpochMetrics m, int epochs) {
        String val = Double.isNaN(m.validationAccuracy()) ? "" : String.format(Locale.ROOT, "  val %6.2f%%", 100 * m.validationAccuracy());
        return String.format(Locale.ROOT, "epoch %2d/%d  loss %.4f  train %6.2f%%%s  test %6.2f%% (loss %.4f)  %6.1f s  %,8.0f img/s",
                m.epoch(), epochs, m.trainLoss(), 100 * m.trainAccuracy(), val, 100 * m.testAccuracy(), m.testLoss(),
                m.seconds(), m.imagesPerSecond());
    }
}
