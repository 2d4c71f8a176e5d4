package io.runnerscaler.cli.simulate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep at a glance: every combination's p95 wait against its cost, the frontier (no other combination is
 * both cheaper and quicker) as a line with each point's knob values, the file as it is and the recommended
 * combination marked, and the {@code --max-p95} wait as a line to stay under.
 */
final class SweepChart {

    static final int WIDTH = 1100;
    static final int HEIGHT = 620;
    private static final Color GREY = new Color(150, 150, 150);
    private static final Color FRONTIER = new Color(31, 119, 180);
    private static final Color CURRENT = new Color(214, 39, 40);
    private static final Color RECOMMENDED = new Color(44, 160, 44);

    private SweepChart() {
    }

    static void write(List<SweepAxis> axes, List<Sweep.Outcome> outcomes, List<Sweep.Outcome> frontier,
                      Optional<Sweep.Outcome> recommended, Optional<Duration> maxP95, String trace, Path file)
            throws IOException {
        List<Sweep.Outcome> usable = outcomes.stream().filter(Sweep.Outcome::usable).toList();
        String knobs = axes.stream().map(SweepAxis::label).collect(Collectors.joining(", "));
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("p95 job wait against cost: " + usable.stream().filter(o -> !o.current()).count()
                        + " combinations of " + knobs + " on " + trace)
                .xAxisTitle("cost of the trace's machine-hours (USD)").yAxisTitle("p95 job wait (minutes)").build();
        var styler = chart.getStyler();
        // Below the plot: inside, it would sit on the points or on the --max-p95 line.
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setYAxisMin(0.0);
        // Room above the highest point for its label, and for the --max-p95 line when it is higher.
        double top = Math.max(usable.stream().mapToDouble(o -> minutes(o.total().p95())).max().orElse(1),
                maxP95.map(SweepChart::minutes).orElse(0.0));
        chart.getStyler().setYAxisMax(top * 1.15 + 0.1);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setXAxisDecimalPattern("$0.00");
        chart.getStyler().setMarkerSize(9);
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setAnnotationTextFontColor(new Color(40, 40, 40));

        scatter(chart, "every combination", usable, GREY, SeriesMarkers.CIRCLE);
        if (!frontier.isEmpty()) {
            XYSeries line = chart.addSeries("frontier (" + knobs + ")", cost(frontier), p95(frontier));
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(FRONTIER);
            line.setMarkerColor(FRONTIER);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        outcomes.stream().filter(Sweep.Outcome::current).filter(Sweep.Outcome::usable).findFirst()
                .ifPresent(current -> scatter(chart, "the file as it is", List.of(current), CURRENT,
                        SeriesMarkers.DIAMOND));
        recommended.ifPresent(r -> scatter(chart, "recommended: " + r.label(), List.of(r), RECOMMENDED,
                SeriesMarkers.SQUARE));
        for (Sweep.Outcome o : frontier) {
            chart.addAnnotation(new AnnotationText(values(o), o.cost(), minutes(o.total().p95()) + offset(frontier),
                    false));
        }
        maxP95.ifPresent(max -> {
            styler.setAnnotationLineColor(RECOMMENDED);
            styler.setAnnotationLineStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0));
            chart.addAnnotation(new AnnotationLine(minutes(max), false, false));
            double right = usable.stream().mapToDouble(o -> o.cost()).max().orElse(1);
            double left = usable.stream().mapToDouble(o -> o.cost()).min().orElse(0);
            chart.addAnnotation(new AnnotationText("--max-p95 " + ReportTables.wait(max), right - (right - left) * 0.04,
                    minutes(max) + offset(frontier), false));
        });
        ChartFiles.write(List.of(chart), WIDTH, HEIGHT, file);
    }

    private static void scatter(XYChart chart, String name, List<Sweep.Outcome> points, Color color,
                                org.knowm.xchart.style.markers.Marker marker) {
        if (points.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, cost(points), p95(points));
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarkerColor(color);
        series.setMarker(marker);
    }

    /** The frontier point's knob values, short: {@code 1, 15m}. */
    private static String values(Sweep.Outcome o) {
        return o.combination().map(c -> c.choices().stream().map(Sweep.Choice::value)
                .collect(Collectors.joining(", "))).orElse("as is");
    }

    /** Labels sit a little above their point: a thirtieth of the highest p95 on the frontier. */
    private static double offset(List<Sweep.Outcome> frontier) {
        return frontier.stream().mapToDouble(o -> minutes(o.total().p95())).max().orElse(1) / 30 + 0.05;
    }

    private static List<Double> cost(List<Sweep.Outcome> points) {
        return points.stream().map(o -> o.cost()).toList();
    }

    private static List<Double> p95(List<Sweep.Outcome> points) {
        return points.stream().map(o -> minutes(o.total().p95())).toList();
    }

    static double minutes(Duration d) {
        return d.toMillis() / 60_000.0;
    }

    static String usd(double value) {
        return String.format(Locale.ROOT, "$%.2f", value);
    }
}
