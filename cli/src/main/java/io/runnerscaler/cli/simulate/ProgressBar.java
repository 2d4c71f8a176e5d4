package io.runnerscaler.cli.simulate;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A one-line progress bar over virtual time, redrawn in place on stderr at most every 100 ms of wall
 * time. For runs that take long enough to wonder whether anything is happening.
 */
final class ProgressBar implements Consumer<Instant> {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final String label;
    private final Instant start;
    private final Duration span;
    private long lastDrawn;
    private int lastPercent = -1;

    ProgressBar(PrintWriter out, String label, Instant start, Instant end) {
        this.out = out;
        this.label = label;
        this.start = start;
        Duration s = Duration.between(start, end);
        this.span = s.isZero() || s.isNegative() ? Duration.ofSeconds(1) : s;
    }

    @Override
    public void accept(Instant now) {
        int percent = (int) Math.min(100, 100 * Duration.between(start, now).toMillis() / span.toMillis());
        long wall = System.nanoTime();
        if (percent == lastPercent || wall - lastDrawn < 100_000_000L) {
            return;
        }
        lastDrawn = wall;
        lastPercent = percent;
        draw(percent);
    }

    void finish() {
        draw(100);
        out.print('\n');
        out.flush();
    }

    private void draw(int percent) {
        int filled = percent * WIDTH / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + " %");
        out.flush();
    }

    /** Whether stderr is a terminal; on JDK 22+ {@code Console.isTerminal()} says so, before that a console exists only for one. */
    static boolean stderrIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
