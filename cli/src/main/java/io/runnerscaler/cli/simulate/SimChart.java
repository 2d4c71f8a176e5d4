package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.sim.JobOutcome;
import io.runnerscaler.core.sim.Sample;
import io.runnerscaler.core.sim.SimResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts of a simulation, all pools of a policy added up: per policy, machines by state as stacked areas (busy at
 * the bottom, then idle, launching and draining) with queued jobs as a line over them, every panel on the same
 * axes; with two policies, a last panel with both wait distributions (the share of jobs that waited at most a
 * given time). Stacked in one PNG or SVG file so they compare by eye.
 */
final class SimChart {

    static final int WIDTH = 1100;
    static final int PANEL_HEIGHT = 420;
    private static final Color BUSY = new Color(31, 119, 180);
    private static final Color IDLE = new Color(152, 223, 138);
    private static final Color LAUNCHING = new Color(255, 187, 120);
    private static final Color DRAINING = new Color(199, 199, 199);
    private static final Color QUEUED = new Color(214, 39, 40);
    private static final Color[] POLICIES = {new Color(127, 127, 127), new Color(31, 119, 180)};

    private SimChart() {
    }

    /** A policy's simulation result to draw. */
    record Panel(String policy, SimResult result) {
    }

    /** Counts over all pools from this instant on. */
    record Point(Instant at, int queued, int launching, int idle, int busy, int draining) {
        int machines() {
            return launching + idle + busy + draining;
        }
    }

    /** Adds the pools' samples up: each pool's last sample holds until its next one. */
    static List<Point> points(SimResult result) {
        Map<String, Sample> current = new LinkedHashMap<>();
        List<Point> points = new ArrayList<>();
        List<Sample> samples = result.samples();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            current.put(s.pool(), s);
            if (i + 1 < samples.size() && samples.get(i + 1).at().equals(s.at())) {
                continue;
            }
            int q = 0, l = 0, id = 0, b = 0, d = 0;
            for (Sample c : current.values()) {
                q += c.queued();
                l += c.launching();
                id += c.idle();
                b += c.busy();
                d += c.draining();
            }
            points.add(new Point(s.at(), q, l, id, b, d));
        }
        if (!points.isEmpty() && points.getLast().at().isBefore(result.end())) {
            Point last = points.getLast();
            points.add(new Point(result.end(), last.queued(), last.launching(), last.idle(), last.busy(),
                    last.draining()));
        }
        return points;
    }

    /** Writes the panels to {@code file}, as SVG if its name ends in .svg and as PNG otherwise. */
    static void write(List<Panel> panels, Path file) throws IOException {
        int yMax = 1;
        for (Panel p : panels) {
            for (Point pt : points(p.result())) {
                yMax = Math.max(yMax, Math.max(pt.queued(), pt.machines()));
            }
        }
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            charts.add(timeline(p, yMax));
        }
        if (panels.size() > 1) {
            charts.add(waits(panels));
        }
        ChartFiles.write(charts, WIDTH, PANEL_HEIGHT, file);
    }

    /** Bucket widths the timeline averages over, the smallest that keeps a panel under {@value #MOST_BUCKETS} buckets. */
    private static final List<Duration> BUCKETS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(3), Duration.ofHours(6));
    private static final int MOST_BUCKETS = 300;

    static Duration bucket(Instant start, Instant end) {
        Duration span = Duration.between(start, end);
        return BUCKETS.stream().filter(b -> span.dividedBy(b) <= MOST_BUCKETS).findFirst().orElse(BUCKETS.getLast());
    }

    /** A bucket's time-weighted means: machines by state and queued jobs, from {@code at} for one bucket. */
    record Mean(Instant at, double queued, double launching, double idle, double busy, double draining) {
    }

    /** The step function of {@code points} averaged over buckets of {@code width} from {@code start} to {@code end}. */
    static List<Mean> means(List<Point> points, Instant start, Instant end, Duration width) {
        var means = new ArrayList<Mean>();
        int next = 0;
        Point holding = new Point(start, 0, 0, 0, 0, 0);
        for (Instant from = start; from.isBefore(end); from = from.plus(width)) {
            Instant to = from.plus(width).isBefore(end) ? from.plus(width) : end;
            double[] sum = new double[5];
            Instant at = from;
            while (at.isBefore(to)) {
                while (next < points.size() && !points.get(next).at().isAfter(at)) {
                    holding = points.get(next++);
                }
                Instant until = next < points.size() && points.get(next).at().isBefore(to) ? points.get(next).at() : to;
                double seconds = Duration.between(at, until).toMillis() / 1000.0;
                sum[0] += holding.queued() * seconds;
                sum[1] += holding.launching() * seconds;
                sum[2] += holding.idle() * seconds;
                sum[3] += holding.busy() * seconds;
                sum[4] += holding.draining() * seconds;
                at = until;
            }
            double length = Math.max(1e-9, Duration.between(from, to).toMillis() / 1000.0);
            means.add(new Mean(from, sum[0] / length, sum[1] / length, sum[2] / length, sum[3] / length,
                    sum[4] / length));
        }
        return means;
    }

    private static XYChart timeline(Panel panel, int yMax) {
        Instant start = panel.result().start();
        Instant end = panel.result().end();
        Duration width = bucket(start, end);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title(panel.policy() + ": machines by state, stacked, and queued jobs (all pools, "
                        + ReportTables.wait(width).replace(" min 00 s", " min").replace("60 s", "1 min") + " means)")
                .xAxisTitle("time (UTC)").yAxisTitle("machines / jobs").build();
        style(chart);
        chart.getStyler().setDatePattern(Duration.between(start, end).toHours() > 48 ? "EEE HH:mm" : "HH:mm");
        chart.getStyler().setTimezone(TimeZone.getTimeZone("UTC"));
        chart.getStyler().setXAxisMin((double) start.toEpochMilli());
        chart.getStyler().setXAxisMax((double) end.toEpochMilli());
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(yMax + 1.0);
        chart.getStyler().setYAxisDecimalPattern("0");
        chart.getStyler().setPlotContentSize(0.995);
        List<Mean> means = means(points(panel.result()), start, end, width);
        // Each value sits in the middle of its bucket.
        List<Date> x = means.stream().map(m -> Date.from(m.at().plus(width.dividedBy(2)))).toList();
        // Each area runs from 0 to the sum of its state and those below it; drawn top first, each lower one over it.
        if (means.stream().anyMatch(m -> m.draining() > 0)) {
            area(chart, "draining", x, means.stream().map(m -> m.busy() + m.idle() + m.launching() + m.draining()).toList(),
                    DRAINING);
        }
        area(chart, "launching", x, means.stream().map(m -> m.busy() + m.idle() + m.launching()).toList(), LAUNCHING);
        area(chart, "idle", x, means.stream().map(m -> m.busy() + m.idle()).toList(), IDLE);
        area(chart, "busy", x, means.stream().map(Mean::busy).toList(), BUSY);
        line(chart.addSeries("queued jobs", x, means.stream().map(Mean::queued).toList()),
                XYSeries.XYSeriesRenderStyle.Line, QUEUED, 2f);
        return chart;
    }

    private static void area(XYChart chart, String name, List<Date> x, List<Double> top, Color color) {
        XYSeries area = chart.addSeries(name, x, top);
        line(area, XYSeries.XYSeriesRenderStyle.Area, color.darker(), 3f); // thick enough to read in the legend
        area.setFillColor(color);
    }

    /** Both policies' waits as distributions: at x minutes, the share of started jobs that waited at most that. */
    private static XYChart waits(List<Panel> panels) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title("job waits: share of jobs that started within a given wait")
                .xAxisTitle("wait from queued to start (minutes)").yAxisTitle("jobs (%)").build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setYAxisDecimalPattern("0");
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setAnnotationLineColor(new Color(120, 120, 120));
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                new float[] {5, 4}, 0));
        chart.addAnnotation(new AnnotationLine(95, false, false));
        chart.addAnnotation(new AnnotationText("p95", 0.1, 97, false));
        for (int i = 0; i < panels.size(); i++) {
            List<Double> waits = panels.get(i).result().jobs().stream().map(JobOutcome::waited)
                    .flatMap(java.util.Optional::stream).map(d -> d.toMillis() / 60_000.0).sorted().toList();
            var x = new ArrayList<Double>();
            var y = new ArrayList<Double>();
            x.add(0.0);
            y.add(0.0);
            // One point per distinct wait (ties are common: every job that found an idle machine waited 0 s).
            for (int j = 0; j < waits.size(); j++) {
                if (j + 1 < waits.size() && waits.get(j + 1).equals(waits.get(j))) {
                    continue;
                }
                x.add(waits.get(j));
                y.add(100.0 * (j + 1) / waits.size());
            }
            line(chart.addSeries(panels.get(i).policy(), x, y), XYSeries.XYSeriesRenderStyle.Step,
                    POLICIES[i % POLICIES.length], 2.2f);
        }
        return chart;
    }

    /** xchart's setters return their own class, so a series is styled one call at a time. */
    private static void line(XYSeries series, XYSeries.XYSeriesRenderStyle render, Color color, float width) {
        series.setXYSeriesRenderStyle(render);
        series.setLineColor(color);
        series.setLineStyle(new BasicStroke(width));
        series.setMarker(SeriesMarkers.NONE);
    }

    private static void style(XYChart chart) {
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setMarkerSize(0);
    }
}
