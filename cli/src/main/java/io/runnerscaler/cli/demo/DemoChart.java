package io.runnerscaler.cli.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** Draws queued jobs and machines by state over time as a PNG. */
final class DemoChart {

    private DemoChart() {
    }

    static Path write(List<DemoWorld.Sample> samples, Path file) throws IOException {
        DemoCommand.ensureDirectory(file);
        XYChart chart = new XYChartBuilder().width(1000).height(500).title("Runner Scaler demo: pool 'docker'")
                .xAxisTitle("time (UTC)").yAxisTitle("count").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDatePattern("HH:mm");
        chart.getStyler().setMarkerSize(0);
        List<Date> x = samples.stream().map(s -> Date.from(s.at())).toList();
        series(chart, "queued jobs", x, samples.stream().map(s -> (double) s.queued()).toList());
        series(chart, "launching", x, samples.stream().map(s -> (double) s.launching()).toList());
        series(chart, "idle", x, samples.stream().map(s -> (double) s.idle()).toList());
        series(chart, "busy", x, samples.stream().map(s -> (double) s.busy()).toList());
        String name = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        BitmapEncoder.saveBitmap(chart, name, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(name + ".png");
    }

    private static void series(XYChart chart, String name, List<Date> x, List<Double> y) {
        chart.addSeries(name, x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
    }
}
