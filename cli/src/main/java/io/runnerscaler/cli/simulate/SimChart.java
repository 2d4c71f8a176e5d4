package io.runnerscaler.cli.simulate;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import io.runnerscaler.core.sim.Sample;
import io.runnerscaler.core.sim.SimResult;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Charts of queued jobs and machines by state over time, all pools of a policy added up: one panel per
 * policy, stacked in one PNG or SVG file with the same axes so they can be compared by eye.
 */
final class SimChart {

    static final int WIDTH = 1100;
    static final int PANEL_HEIGHT = 420;

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
        System.setProperty("java.awt.headless", "true");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int yMax = 1;
        for (Panel p : panels) {
            for (Point pt : points(p.result())) {
                yMax = Math.max(yMax, Math.max(pt.queued(), pt.machines()));
            }
        }
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            charts.add(chart(p, yMax));
        }
        int height = PANEL_HEIGHT * charts.size();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(charts, g);
            Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, WIDTH, height));
            try (OutputStream out = Files.newOutputStream(file)) {
                doc.writeTo(out);
            }
        } else {
            BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paint(charts, g);
            g.dispose();
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IOException("no PNG writer available");
            }
        }
    }

    private static void paint(List<XYChart> charts, Graphics2D g) {
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create(0, i * PANEL_HEIGHT, WIDTH, PANEL_HEIGHT);
            charts.get(i).paint(panel, WIDTH, PANEL_HEIGHT);
            panel.dispose();
        }
    }

    private static XYChart chart(Panel panel, int yMax) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title(panel.policy() + ": queued jobs and machines, all pools")
                .xAxisTitle("time (UTC)").yAxisTitle("jobs / machines").build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDatePattern("HH:mm");
        chart.getStyler().setTimezone(TimeZone.getTimeZone("UTC"));
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(yMax + 1.0);
        chart.getStyler().setYAxisDecimalPattern("0");
        List<Point> points = points(panel.result());
        if (points.isEmpty()) {
            points = List.of(new Point(panel.result().start(), 0, 0, 0, 0, 0),
                    new Point(panel.result().end(), 0, 0, 0, 0, 0));
        }
        List<Date> x = points.stream().map(p -> Date.from(p.at())).toList();
        series(chart, "queued jobs", x, points.stream().map(p -> (double) p.queued()).toList());
        series(chart, "machines", x, points.stream().map(p -> (double) p.machines()).toList());
        series(chart, "busy", x, points.stream().map(p -> (double) p.busy()).toList());
        series(chart, "idle", x, points.stream().map(p -> (double) p.idle()).toList());
        series(chart, "launching", x, points.stream().map(p -> (double) p.launching()).toList());
        if (points.stream().anyMatch(p -> p.draining() > 0)) {
            series(chart, "draining", x, points.stream().map(p -> (double) p.draining()).toList());
        }
        return chart;
    }

    private static void series(XYChart chart, String name, List<Date> x, List<Double> y) {
        chart.addSeries(name, x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
    }
}
