package io.runnerscaler.benchmarks.sweep;

import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Wall time of {@code runner-scaler simulate --sweep} as a user runs it: a fresh JVM with bin/runner-scaler's flags
 * per run, 50 combinations of the working day ({@code examples/traces/working-day.csv}, 302 jobs, 24 h) on every
 * processor, against one simulation of the same day for scale. Target: a sweep under 10 s.
 *
 * <pre>java -cp benchmarks.jar io.runnerscaler.benchmarks.sweep.SweepWallTime --cli-jar cli/target/runner-scaler.jar
 *     --root . --runs 3 --out sweep.md</pre>
 */
public final class SweepWallTime {

    static final double TARGET_SECONDS = 10;
    /** bin/runner-scaler's JVM flags: the CLI's users get these. */
    static final List<String> JVM = List.of("-Xss1m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    static final List<String> DAY = List.of("simulate", "--no-progress", "--config",
            "examples/policies/docker-machine.yaml", "--trace", "examples/traces/working-day.csv", "--until", "24h");
    static final List<String> SWEEP = List.of("--sweep", "idleCount=0..4", "--sweep", "idleTime=60,300,600,900,1800",
            "--sweep", "maxGrowthRate=0,1");

    private SweepWallTime() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path jar = args.path("cli-jar").orElseThrow(() -> new IllegalArgumentException("--cli-jar is required"));
        Path root = args.path("root").orElse(Path.of("."));
        int runs = args.integer("runs", 3);
        Path out = args.path("out").orElse(Path.of("sweep.md"));

        List<Double> one = times(jar, root, DAY, runs);
        var sweep = new ArrayList<String>(DAY);
        sweep.addAll(SWEEP);
        List<Double> all = times(jar, root, sweep, runs);
        double median = median(all);
        boolean ok = median < TARGET_SECONDS;

        var table = new Table("command", "runs", "min", "median", "max", "target", "result");
        table.row("one simulation of the day", runs, s(min(one)), s(median(one)), s(max(one)), "", "");
        table.row("sweep of 50 combinations (" + Runtime.getRuntime().availableProcessors() + " threads)", runs,
                s(min(all)), s(median), s(max(all)), "< 10 s", Table.pass(ok));
        String md = "## Policy sweep: wall time\n\n"
                + "`runner-scaler " + String.join(" ", sweep) + "`, each run a fresh JVM (`java "
                + String.join(" ", JVM) + " -jar runner-scaler.jar`, as bin/runner-scaler starts it), from JVM start "
                + "to exit; the sweep runs 51 simulations of a 24-hour day of 302 jobs (the file as it is and 50 "
                + "combinations) on as many threads as processors.\n\n" + table;
        Files.writeString(out, md);
        System.out.print(md);
        System.exit(ok ? 0 : 1);
    }

    private static List<Double> times(Path jar, Path root, List<String> command, int runs)
            throws IOException, InterruptedException {
        var times = new ArrayList<Double>();
        for (int i = 0; i < runs; i++) {
            var cmd = new ArrayList<String>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JVM);
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            cmd.addAll(command);
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int exit = p.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exit);
            }
            times.add(seconds);
        }
        return times;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static String s(double seconds) {
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }
}
