package io.runnerscaler.benchmarks.coldstart;

import io.runnerscaler.aws.EmfMetrics;
import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.Percentiles;
import io.runnerscaler.benchmarks.e2e.Table;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Issue 9's choice of EMF writer, by cold-start cost: each run is a fresh JVM with the flags of Lambda's
 * {@code java21} runtime that writes one EMF line (namespace RunnerScaler, dimensions Pool and Forge, one
 * Count metric) to stdout and stops. Times process start (the parent's clock, before spawning) to the first
 * line read from the child's stdout, for the project's {@link EmfMetrics}, for aws-embedded-metrics'
 * {@link MetricsLogger} in its Lambda environment, for Powertools' metrics (which wraps it) called without
 * AspectJ, and for a hand-written line (the JVM's own floor), all interleaved. One more run per variant with {@code -Xlog:class+load} counts the classes loaded up to
 * the line (the child halts right after it).
 *
 * <pre>EmfColdStart [--runs 20] [--out section.md] [--java $JAVA_HOME/bin/java]</pre>
 */
public final class EmfColdStart {

    static final List<String> LAMBDA_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");
    private static final String METRIC = "JobsSeen";
    private static final Map<String, String> DIMENSIONS = Map.of("Pool", "docker-small", "Forge", "gitlab");
    private static final long RUN_TIMEOUT_SECONDS = 60;

    /** A way of writing the line; {@code extraJars} are the jars it adds to a function's (paths in the local Maven repository). */
    record Variant(String name, String what, List<String> extraJars) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant("EmfMetrics", "the project's `EmfMetrics` (Jackson tree, `System.out.println`)", List.of()),
            new Variant("aws-embedded-metrics", "`MetricsLogger` 4.2.0, environment Lambda (stdout), "
                    + "`setDimensions` + `putMetric` + `flush`", List.of(
                    "software/amazon/cloudwatchlogs/aws-embedded-metrics/4.2.0/aws-embedded-metrics-4.2.0.jar",
                    "org/apache/commons/commons-lang3/3.20.0/commons-lang3-3.20.0.jar")),
            new Variant("powertools-metrics", "Powertools `MetricsFactory.getMetricsInstance()` 2.0.0 without "
                    + "AspectJ: `clearDefaultDimensions` + `addDimension` + `addMetric` + `flush`", List.of(
                    "software/amazon/lambda/powertools-metrics/2.0.0/powertools-metrics-2.0.0.jar",
                    "software/amazon/lambda/powertools-common/2.0.0/powertools-common-2.0.0.jar",
                    "software/amazon/cloudwatchlogs/aws-embedded-metrics/4.2.0/aws-embedded-metrics-4.2.0.jar",
                    "org/apache/commons/commons-lang3/3.20.0/commons-lang3-3.20.0.jar")),
            new Variant("println", "a constant string, `System.out.println` (the JVM's floor, for reference)",
                    List.of()));

    private EmfColdStart() {}

    public static void main(String[] argv) throws Exception {
        if (argv.length == 2 && argv[0].equals("--child")) {
            writeOneLine(argv[1]);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        Args args = new Args(argv);
        int runs = args.integer("runs", 20);
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        String java = args.text("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String section = measure(java, runs);
        var out = args.path("out");
        if (out.isPresent()) {
            Files.writeString(out.get(), section);
        } else {
            System.out.print(section);
        }
    }

    /** The child's whole work: one metric line, the same metric each way. */
    static void writeOneLine(String variant) throws Exception {
        switch (variant) {
            case "EmfMetrics" -> new EmfMetrics(System.out, Clock.systemUTC()).count(METRIC, DIMENSIONS, 1);
            case "aws-embedded-metrics" -> {
                MetricsLogger logger = new MetricsLogger();
                logger.setNamespace(EmfMetrics.NAMESPACE);
                logger.setDimensions(DimensionSet.of("Pool", DIMENSIONS.get("Pool"), "Forge", DIMENSIONS.get("Forge")));
                logger.putMetric(METRIC, 1, Unit.COUNT);
                logger.flush();
            }
            case "powertools-metrics" -> {
                var metrics = MetricsFactory.getMetricsInstance();
                metrics.setNamespace(EmfMetrics.NAMESPACE);
                metrics.clearDefaultDimensions(); // else a third dimension, Service
                metrics.addDimension(software.amazon.lambda.powertools.metrics.model.DimensionSet.of(DIMENSIONS));
                metrics.addMetric(METRIC, 1, MetricUnit.COUNT);
                metrics.flush();
            }
            case "println" -> System.out.println("{\"_aws\":{\"Timestamp\":" + System.currentTimeMillis()
                    + ",\"CloudWatchMetrics\":[{\"Namespace\":\"RunnerScaler\",\"Dimensions\":[[\"Forge\",\"Pool\"]],"
                    + "\"Metrics\":[{\"Name\":\"JobsSeen\",\"Unit\":\"Count\"}]}]},\"Forge\":\"gitlab\","
                    + "\"Pool\":\"docker-small\",\"JobsSeen\":1.0}");
            default -> throw new IllegalArgumentException("unknown variant '" + variant + "': expected one of "
                    + VARIANTS.stream().map(Variant::name).toList());
        }
    }

    /** One child run: milliseconds from spawning to its first stdout line, and that line. */
    record Run(double millis, String line) {}

    static Run spawn(String java, String variant, List<String> extraFlags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(LAMBDA_FLAGS);
        command.addAll(extraFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmfColdStart.class.getName(),
                "--child", variant));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        // The Lambda environment as aws-embedded-metrics detects it: stdout, never the CloudWatch agent's socket.
        pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "runner-scaler-emf-bench");
        pb.environment().put("AWS_EMF_ENVIRONMENT", "Lambda");
        long start = System.nanoTime();
        Process p = pb.start();
        String line;
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = reader.readLine();
            long took = System.nanoTime() - start;
            if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(variant + ": the child did not exit within " + RUN_TIMEOUT_SECONDS + " s");
            }
            if (line == null || !isTheMetric(line)) {
                throw new IllegalStateException(variant + ": expected an EMF line with Pool, Forge and " + METRIC
                        + " on stdout, got " + line + " (exit " + p.exitValue() + ")");
            }
            return new Run(took / 1e6, line);
        }
    }

    static boolean isTheMetric(String line) {
        return line.contains("\"_aws\"") && line.contains("\"CloudWatchMetrics\"") && line.contains("\"Pool\"")
                && line.contains("\"Forge\"") && line.contains("\"" + METRIC + "\"") && line.contains("\"Count\"");
    }

    static String measure(String java, int runs) throws IOException, InterruptedException {
        Map<String, double[]> millis = new LinkedHashMap<>();
        Map<String, String> lines = new LinkedHashMap<>();
        VARIANTS.forEach(v -> millis.put(v.name(), new double[runs]));
        spawn(java, VARIANTS.get(0).name(), List.of()); // warms the page cache for the jar; not counted
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < VARIANTS.size(); k++) {
                // Rotate the order so that no variant always runs right after another.
                Variant v = VARIANTS.get((i + k) % VARIANTS.size());
                Run r = spawn(java, v.name(), List.of());
                millis.get(v.name())[i] = r.millis();
                lines.put(v.name(), r.line());
            }
        }
        Map<String, Long> classes = new LinkedHashMap<>();
        for (Variant v : VARIANTS) {
            Path log = Files.createTempFile("emf-classes-", ".log");
            try {
                spawn(java, v.name(), List.of("-Xlog:class+load=info:file=" + log));
                try (var l = Files.lines(log)) {
                    classes.put(v.name(), l.filter(s -> s.contains("source:")).count());
                }
            } finally {
                Files.deleteIfExists(log);
            }
        }
        return report(java, runs, millis, classes, lines);
    }

    /** Nearest rank, as {@link Percentiles} does it. */
    static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String jarBytes(Variant v) {
        if (v.extraJars().isEmpty()) {
            return "0";
        }
        Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        long total = 0;
        List<String> parts = new ArrayList<>();
        for (String jar : v.extraJars()) {
            Path p = repo.resolve(jar);
            try {
                long size = Files.size(p);
                total += size;
                parts.add(p.getFileName() + " " + String.format(Locale.ROOT, "%,d", size));
            } catch (IOException e) {
                return "unknown (" + p.getFileName() + " not in the local Maven repository)";
            }
        }
        return String.format(Locale.ROOT, "%,d (%s)", total, String.join(" + ", parts));
    }

    static String report(String java, int runs, Map<String, double[]> millis, Map<String, Long> classes,
                         Map<String, String> lines) {
        Table t = new Table("variant", "what", "median ms", "p90 ms", "min ms", "max ms", "vs EmfMetrics (median)",
                "classes loaded to the line", "extra jar bytes");
        double ours = percentile(millis.get("EmfMetrics"), 50);
        for (Variant v : VARIANTS) {
            double[] m = millis.get(v.name());
            double median = percentile(m, 50);
            t.row(v.name(), v.what(), "**" + Percentiles.format(median) + "**", Percentiles.format(percentile(m, 90)),
                    Percentiles.format(percentile(m, 0)), Percentiles.format(percentile(m, 100)),
                    String.format(Locale.ROOT, "%.2f", median / ours), classes.get(v.name()), jarBytes(v));
        }
        StringBuilder b = new StringBuilder("## EMF metrics: time to the first metric line\n\n");
        b.append("Fresh JVM per run (`").append(java).append(' ').append(String.join(" ", LAMBDA_FLAGS))
                .append("`), ").append(runs).append(" runs per variant, interleaved; time from spawning the JVM ")
                .append("to its first stdout line, one EMF line with dimensions Pool and Forge and one Count metric. ")
                .append("Classes counted with `-Xlog:class+load` in one more run each.\n\n");
        b.append(t).append('\n');
        for (String library : List.of("aws-embedded-metrics", "powertools-metrics")) {
            double theirs = percentile(millis.get(library), 50);
            b.append(String.format(Locale.ROOT, "%s / EmfMetrics, median: %.2f (%s than EmfMetrics by %.0f %%).%n%n",
                    library, theirs / ours, theirs < ours ? "faster" : "slower", Math.abs(100 * (theirs - ours) / ours)));
        }
        b.append("The lines as written:\n\n```\n");
        lines.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
        b.append("```\n");
        return b.toString();
    }
}
