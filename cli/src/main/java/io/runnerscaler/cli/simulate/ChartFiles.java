package io.runnerscaler.cli.simulate;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes xchart charts stacked top to bottom into one PNG, or SVG when the file name ends in .svg. */
final class ChartFiles {

    private ChartFiles() {
    }

    /** Every chart {@code width} wide and {@code height} high, one under the other. */
    static void write(List<? extends Chart<?, ?>> charts, int width, int height, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int total = height * charts.size();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(charts, width, height, g);
            Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, total));
            try (OutputStream out = Files.newOutputStream(file)) {
                doc.writeTo(out);
            }
            return;
        }
        BufferedImage image = new BufferedImage(width, total, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(charts, width, height, g);
        g.dispose();
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    private static void paint(List<? extends Chart<?, ?>> charts, int width, int height, Graphics2D g) {
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create(0, i * height, width, height);
            charts.get(i).paint(panel, width, height);
            panel.dispose();
        }
    }
}
