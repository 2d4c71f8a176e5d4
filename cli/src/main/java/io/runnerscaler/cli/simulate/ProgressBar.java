package io.runnerscaler.cli.simulate;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * A one-line progress bar, redrawn in place on stderr at most every 100 ms of wall time: over virtual time for
 * a simulation, or over any fraction of work done ({@link #fraction}) for a listing. For runs that take long
 * enough to wonder whether anything is happening.
 */
public final class ProgressBar implements Consumer<Instant> {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final String label;
    private final Instant start;
    private final Duration span;
    private long lastDrawn;
    private int lastPercent = -1;
    private String detail = "";

    ProgressBar(PrintWriter out, String label, Instant start, Instant end) {
        this.out = out;
        this.label = label;
        this.start = start;
        Duration s = Duration.between(start, end);
        this.span = s.isZero() || s.isNegative() ? Duration.ofSeconds(1) : s;
    }

    /** A bar driven by {@link #fraction}. */
    public ProgressBar(PrintWriter out, String label) {
        this(out, label, Instant.EPOCH, Instant.EPOCH.plusSeconds(1));
    }

    @Override
    public void accept(Instant now) {
        draw(100.0 * Duration.between(start, now).toMillis() / span.toMillis(), false);
    }

    /** Redraws with {@code done} of the work (0 to 1) and a short note after the percentage. */
    public void fraction(double done, String note) {
        boolean changed = !note.equals(detail);
        detail = note;
        draw(100 * done, changed);
    }

    public void finish() {
        lastPercent = -1;
        draw(100, true);
        out.print('\n');
        out.flush();
    }

    private void draw(double percentage, boolean force) {
        int percent = (int) Math.max(0, Math.min(100, percentage));
        long wall = System.nanoTime();
        if (!force && (percent == lastPercent || wall - lastDrawn < 100_000_000L)) {
            return;
        }
        lastDrawn = wall;
        lastPercent = percent;
        int filled = percent * WIDTH / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + " %"
                + (detail.isEmpty() ? "" : " " + detail) + "\u001b[K");
        out.flush();
    }

    /** Whether stderr is a terminal; on JDK 22+ {@code Console.isTerminal()} says so, before that a console exists only for one. */
    public static boolean stderrIsTerminal() {
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
