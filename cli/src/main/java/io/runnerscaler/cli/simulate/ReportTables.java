package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.sim.SimResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Renders reports as Markdown tables, readable in a terminal and pasteable into docs. */
final class ReportTables {

    private ReportTables() {
    }

    /** One line per pool (and a total line when there is more than one pool). */
    static String pools(PolicyReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"pool", "jobs", "p50 wait", "p95 wait", "max wait", "machine-h spot",
            "machine-h on-demand", "cost", "cost all on-demand", "interrupted", "retried jobs"});
        List<PolicyReport.Line> lines = new ArrayList<>(report.pools());
        if (lines.size() > 1) {
            lines.add(report.total());
        }
        for (PolicyReport.Line l : lines) {
            rows.add(new String[] {l.pool(), l.jobs() + (l.notStarted() > 0 ? " (" + l.notStarted() + " not started)" : ""),
                wait(l.p50()), wait(l.p95()), wait(l.max()), hours(l.spotHours()), hours(l.onDemandHours()),
                usd(l.cost()), usd(l.costOnDemand()), Integer.toString(l.interrupted()),
                Integer.toString(l.retried())});
        }
        return markdown(rows, 1);
    }

    /**
     * Job waits by the path the job came to run on ({@code cold}: it waited for a machine to boot; {@code idle}: a
     * machine was up when it was queued), over all pools; the paths no job took are left out.
     */
    static String paths(SimResult result) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"path", "jobs", "p50 wait", "p95 wait", "max wait"});
        for (BootPath path : BootPath.values()) {
            List<Duration> waits = result.jobs().stream().filter(j -> j.path().filter(path::equals).isPresent())
                    .flatMap(j -> j.waited().stream()).sorted().toList();
            if (!waits.isEmpty()) {
                rows.add(new String[] {path.id(), Integer.toString(waits.size()), wait(PolicyReport.percentile(waits, 50)),
                    wait(PolicyReport.percentile(waits, 95)), wait(waits.getLast())});
            }
        }
        return markdown(rows, 1);
    }

    /** The two policies side by side over all pools, with the change from the first to the second. */
    static String comparison(PolicyReport base, PolicyReport other) {
        PolicyReport.Line a = base.total();
        PolicyReport.Line b = other.total();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"all pools", base.name(), other.name(), "change"});
        rows.add(durationRow("p50 job wait", a, b, PolicyReport.Line::p50));
        rows.add(durationRow("p95 job wait", a, b, PolicyReport.Line::p95));
        rows.add(durationRow("max job wait", a, b, PolicyReport.Line::max));
        rows.add(numberRow("machine-hours", a, b, PolicyReport.Line::machineHours, ReportTables::hours));
        rows.add(new String[] {"of which spot", hours(a.spotHours()), hours(b.spotHours()), ""});
        rows.add(numberRow("cost (spot where the policy buys spot)", a, b, PolicyReport.Line::cost, ReportTables::usd));
        rows.add(numberRow("cost all on-demand", a, b, PolicyReport.Line::costOnDemand, ReportTables::usd));
        rows.add(new String[] {"spot-first cost vs all on-demand", saving(a), saving(b), ""});
        rows.add(new String[] {"machines launched", Integer.toString(a.launched()), Integer.toString(b.launched()), ""});
        rows.add(new String[] {"machines interrupted", Integer.toString(a.interrupted()),
            Integer.toString(b.interrupted()), ""});
        rows.add(new String[] {"jobs retried after an interruption", Integer.toString(a.retried()),
            Integer.toString(b.retried()), ""});
        rows.add(new String[] {"jobs (not started at the end)", a.jobs() + " (" + a.notStarted() + ")",
            b.jobs() + " (" + b.notStarted() + ")", ""});
        return markdown(rows, 1);
    }

    private static String[] durationRow(String label, PolicyReport.Line a, PolicyReport.Line b,
                                        Function<PolicyReport.Line, Duration> f) {
        return new String[] {label, wait(f.apply(a)), wait(f.apply(b)),
            change(f.apply(a).toMillis(), f.apply(b).toMillis())};
    }

    private static String[] numberRow(String label, PolicyReport.Line a, PolicyReport.Line b,
                                      ToDoubleFunction<PolicyReport.Line> f, Function<Double, String> format) {
        return new String[] {label, format.apply(f.applyAsDouble(a)), format.apply(f.applyAsDouble(b)),
            change(f.applyAsDouble(a), f.applyAsDouble(b))};
    }

    /** How much less the policy pays than it would all on demand. */
    private static String saving(PolicyReport.Line l) {
        if (l.costOnDemand() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f %% lower", 100 * (1 - l.cost() / l.costOnDemand()));
    }

    static String change(double from, double to) {
        if (from == to) {
            return "same";
        }
        if (from == 0) {
            return "from 0";
        }
        return String.format(Locale.ROOT, "%+.0f %%", 100 * (to - from) / from);
    }

    static String wait(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        if (s < 120) {
            return s + " s";
        }
        return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    static String hours(double h) {
        return String.format(Locale.ROOT, "%.2f", h);
    }

    static String usd(double usd) {
        return String.format(Locale.ROOT, usd < 1 ? "$%.3f" : "$%.2f", usd);
    }

    /** A Markdown table; columns from {@code firstNumeric} on are right-aligned. */
    static String markdown(List<String[]> rows, int firstNumeric) {
        return markdown(rows, firstNumeric, rows.getFirst().length);
    }

    /** A Markdown table; columns from {@code firstNumeric} up to (not including) {@code endNumeric} are right-aligned. */
    static String markdown(List<String[]> rows, int firstNumeric, int endNumeric) {
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(Math.max(width[c], r[c].length()), 3);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            line(sb, rows.get(i), width, firstNumeric, endNumeric);
            if (i == 0) {
                String[] rule = new String[cols];
                for (int c = 0; c < cols; c++) {
                    rule[c] = c >= firstNumeric && c < endNumeric ? "-".repeat(width[c] - 1) + ":" : "-".repeat(width[c]);
                }
                line(sb, rule, width, cols, cols);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] width, int firstNumeric, int endNumeric) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            String cell = cells[c];
            String pad = " ".repeat(width[c] - cell.length());
            sb.append(' ').append(c >= firstNumeric && c < endNumeric ? pad + cell : cell + pad).append(" |");
        }
        sb.append('\n');
    }
}
