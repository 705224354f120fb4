package org.lenet5.sweep;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.lenet5.train.EpochMetrics;
import org.lenet5.util.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's PNG charts, drawn with JFreeChart (headless):
 * validation accuracy against batch size, learning rate and L2, each on a log axis with a tick at every value
 * tried, one line per combination of the other settings, each point the mean over seeds with a bar of +-1
 * standard deviation; and the training curves (loss and validation accuracy per epoch, mean over seeds) of the
 * best configurations.
 *
 * <p>L2 = 0 has no place on a log axis. It is drawn one decade below the smallest positive L2 of the sweep
 * (at 1e-7 when that is 1e-6), its tick labelled "0", and the axis label says so. With no positive L2 at all,
 * L2 = 0 sits at 1e-7.
 */
public final class SweepCharts {

    public static final String DIR = "charts";
    static final int WIDTH = 900, HEIGHT = 540, CURVES_HEIGHT = 760;
    /** Lines per chart; more would make the legend unreadable (the best ones by their highest point are kept). */
    static final int MAX_SERIES = 8;
    /** Configurations whose training curves are drawn. */
    static final int CURVES = 3;

    /** A chart written to charts/&lt;file&gt;. */
    public record Chart(String file, String title, String caption) {}

    private SweepCharts() {}

    public static List<Chart> write(Path sweepDir, SweepAnalysis a) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        Path dir = sweepDir.resolve(DIR);
        Files.createDirectories(dir);
        List<Chart> charts = new ArrayList<>();
        if (a.ranked().isEmpty()) return charts;
        for (Hyperparameter h : new Hyperparameter[]{Hyperparameter.BATCH_SIZE, Hyperparameter.LR, Hyperparameter.L2}) {
            String file = "validation_vs_" + switch (h) {
                case BATCH_SIZE -> "batch_size";
                case LR -> "lr";
                default -> "l2";
            } + ".png";
            AxisAndNote x = axisFor(h, a);
            JFreeChart chart = accuracyChart(h, a, x.axis(), x.zeroAt());
            save(dir.resolve(file), chart, HEIGHT);
            charts.add(new Chart(DIR + "/" + file, "Validation accuracy against " + h.title(),
                    "Mean final validation accuracy over seeds (bars: +-1 standard deviation when there are several seeds); "
                            + "one line per combination of the other settings" + x.note() + "."));
        }
        save(dir.resolve("training_curves.png"), curvesChart(a), CURVES_HEIGHT);
        int shown = Math.min(CURVES, a.ranked().size());
        charts.add(new Chart(DIR + "/training_curves.png", "Training curves of the best " + (shown == 1 ? "configuration" : shown + " configurations"),
                "Training loss (mean over the epoch's batches) and validation accuracy after each epoch, mean over seeds."));
        return charts;
    }

    private record AxisAndNote(ValueAxis axis, String note, double zeroAt) {}

    private static AxisAndNote axisFor(Hyperparameter h, SweepAnalysis a) {
        java.util.TreeSet<Double> tried = new java.util.TreeSet<>();
        for (SweepAnalysis.Config c : a.ranked()) tried.add(c.settings().number(h));
        double smallestPositive = tried.stream().filter(v -> v > 0).findFirst().orElse(Double.NaN);
        double zeroAt = zeroPosition(smallestPositive);
        boolean hasZero = tried.contains(0.0);
        List<Double> positions = tried.stream().map(v -> v == 0 ? zeroAt : v).toList();
        String label = switch (h) {
            case BATCH_SIZE -> "batch size (log scale)";
            case LR -> "learning rate (log scale)";
            default -> hasZero ? "L2 (log scale; L2 = 0 drawn at " + CompactNumbers.of((float) zeroAt) + ", labelled 0)" : "L2 (log scale)";
        };
        String note = h == Hyperparameter.L2 && hasZero
                ? "; L2 = 0 is drawn one decade below the smallest positive L2, at " + CompactNumbers.of((float) zeroAt) : "";
        return new AxisAndNote(new TriedValuesAxis(label, positions, hasZero ? zeroAt : 0), note, zeroAt);
    }

    /** Where L2 = 0 is drawn: the power of ten one decade below the smallest positive value (1e-7 with none). */
    static double zeroPosition(double smallestPositive) {
        if (!Double.isFinite(smallestPositive)) return 1e-7;
        return Math.pow(10, Math.floor(Math.log10(smallestPositive)) - 1);
    }

    /**
     * A log axis with one tick at each value the sweep tried (labelled as on the command line: 1e-3, 64, and "0"
     * at the position standing for zero) rather than at powers of ten, which may fall between or outside them.
     */
    static final class TriedValuesAxis extends LogAxis {
        private final List<Double> values;
        private final double zeroAt;

        TriedValuesAxis(String label, List<Double> values, double zeroAt) {
            super(label);
            this.values = List.copyOf(values);
            this.zeroAt = zeroAt;
            double lo = Math.log10(values.get(0)), hi = Math.log10(values.get(values.size() - 1));
            // A margin of a tenth of the span (at least a quarter decade) keeps end points off the frame.
            double margin = Math.max(0.25, 0.1 * (hi - lo));
            setRange(Math.pow(10, lo - margin), Math.pow(10, hi + margin));
            setTickLabelFont(new Font("SansSerif", Font.PLAIN, 12));
        }

        String label(double v) {
            if (zeroAt > 0 && Math.abs(v / zeroAt - 1) < 1e-6) return "0";
            if (v >= 1 && Math.abs(v - Math.rint(v)) < 1e-9 * v) return Long.toString((long) Math.rint(v));
            return CompactNumbers.of((float) v);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List refreshTicks(java.awt.Graphics2D g2, org.jfree.chart.axis.AxisState state,
                                 java.awt.geom.Rectangle2D dataArea, org.jfree.chart.ui.RectangleEdge edge) {
            List<org.jfree.chart.axis.NumberTick> ticks = new ArrayList<>();
            for (double v : values)
                ticks.add(new org.jfree.chart.axis.NumberTick(org.jfree.chart.axis.TickType.MAJOR, v, label(v),
                        org.jfree.chart.ui.TextAnchor.TOP_CENTER, org.jfree.chart.ui.TextAnchor.CENTER, 0.0));
            return ticks;
        }
    }

    /** @param zeroAt where a value of 0 is drawn on the log axis */
    private static JFreeChart accuracyChart(Hyperparameter h, SweepAnalysis a, ValueAxis xAxis, double zeroAt) {
        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        Map<String, Double> top = new LinkedHashMap<>();
        List<SweepAnalysis.Config> sorted = new ArrayList<>(a.ranked());
        sorted.sort(Comparator.comparing(SweepAnalysis.Config::settings, TrialSettings.ORDER));
        for (SweepAnalysis.Config c : sorted) {
            String key = c.settings().labelWithout(h);
            double x = c.settings().number(h);
            if (x == 0) x = zeroAt;
            SweepAnalysis.Stats v = c.validation();
            double sd = Double.isNaN(v.sd()) ? 0 : v.sd();
            series.computeIfAbsent(key, k -> new YIntervalSeries(k, true, false))
                    .add(x, 100 * v.mean(), 100 * (v.mean() - sd), 100 * (v.mean() + sd));
            top.merge(key, v.mean(), Math::max);
        }
        List<String> keys = new ArrayList<>(series.keySet());
        keys.sort(Comparator.comparing((String k) -> -top.get(k)));
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (String k : keys.subList(0, Math.min(MAX_SERIES, keys.size()))) data.addSeries(series.get(k));
        NumberAxis y = new NumberAxis("validation accuracy (%)");
        y.setAutoRangeIncludesZero(false);
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDefaultLinesVisible(true);
        r.setDefaultShapesVisible(true);
        r.setCapLength(6);
        XYPlot plot = new XYPlot(data, xAxis, y, r);
        style(plot);
        JFreeChart chart = new JFreeChart("Validation accuracy against " + h.title(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        if (keys.size() > MAX_SERIES)
            chart.addSubtitle(new TextTitle("the " + MAX_SERIES + " best of " + keys.size() + " lines are shown"));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static JFreeChart curvesChart(SweepAnalysis a) {
        XYSeriesCollection loss = new XYSeriesCollection(), acc = new XYSeriesCollection();
        List<SweepAnalysis.Config> best = a.ranked().subList(0, Math.min(CURVES, a.ranked().size()));
        int rank = 1;
        for (SweepAnalysis.Config c : best) {
            String name = "#" + rank++ + " " + c.settings().label() + (c.seeds() > 1 ? " (" + c.seeds() + " seeds)" : "");
            XYSeries l = new XYSeries(name), v = new XYSeries(name);
            int epochs = c.trials().stream().mapToInt(t -> t.curve().size()).min().orElse(0);
            for (int e = 0; e < epochs; e++) {
                final int i = e;
                l.add(e + 1, c.trials().stream().mapToDouble(t -> t.curve().get(i).trainLoss()).average().orElse(Double.NaN));
                v.add(e + 1, 100 * c.trials().stream().mapToDouble(t -> t.curve().get(i).validationAccuracy()).average().orElse(Double.NaN));
            }
            loss.addSeries(l);
            acc.addSeries(v);
        }
        NumberAxis epoch = new NumberAxis("epoch");
        epoch.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epoch.setAutoRangeIncludesZero(false);
        NumberAxis lossAxis = new NumberAxis("training loss");
        lossAxis.setAutoRangeIncludesZero(false);
        NumberAxis accAxis = new NumberAxis("validation accuracy (%)");
        accAxis.setAutoRangeIncludesZero(false);
        XYPlot top = new XYPlot(loss, null, lossAxis, new XYLineAndShapeRenderer(true, true));
        XYPlot bottom = new XYPlot(acc, null, accAxis, new XYLineAndShapeRenderer(true, true));
        style(top);
        style(bottom);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epoch);
        plot.setGap(12);
        plot.add(top, 1);
        plot.add(bottom, 1);
        JFreeChart chart = new JFreeChart("Training curves of the best configurations", JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        // One legend for both plots: the lines of the lower plot have the same names and colours.
        org.jfree.chart.title.LegendTitle legend = new org.jfree.chart.title.LegendTitle(bottom);
        legend.setPosition(org.jfree.chart.ui.RectangleEdge.BOTTOM);
        chart.addLegend(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Tableau 10: distinguishable colours, the same series the same colour in every plot of a chart. */
    private static final Color[] PALETTE = {
            new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
            new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)};

    private static void style(XYPlot plot) {
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            plot.getRenderer().setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-4, -4, 8, 8));
        }
        if (plot.getRangeAxis() != null) {
            plot.getRangeAxis().setUpperMargin(0.08);
            plot.getRangeAxis().setLowerMargin(0.08);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setDomainGridlinesVisible(true);
        plot.setRangeGridlinesVisible(true);
        for (int i = 0; i < plot.getSeriesCount(); i++) plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
    }

    private static void save(Path file, JFreeChart chart, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart, WIDTH, height);
        AtomicFiles.write(file, png.toByteArray());
    }
}
