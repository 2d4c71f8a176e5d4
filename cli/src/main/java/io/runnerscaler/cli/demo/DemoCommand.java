package io.runnerscaler.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.testkit.Emulator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runner-scaler demo}: the docker+machine scenario (ten jobs of ten minutes; IdleCount 2, IdleTime
 * 300 s, MaxGrowthRate 1, limit 6) through the real handlers on the local emulator, on an accelerated
 * clock. Prints the timeline with the planner's reasons and writes a chart.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Replay a docker+machine-like scenario through the real handlers on the local AWS emulator.")
public final class DemoCommand implements Callable<Integer> {

    static final String POOL = "docker";
    private static final java.time.format.DateTimeFormatter HH_MM_SS =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");
    static final String CONFIG = """
            concurrent: 6
            pools:
              - name: docker
                forge: gitlab
                runUntagged: true
                instanceTypes: [m6i.large, m5.large]
                launchTemplate: runner-scaler-docker
                tokenParameter: /runner-scaler/demo/docker/runner-token
                market: on-demand
                limit: 6
                idleCount: 2
                idleTime: 300
                maxGrowthRate: 1
            """;

    @Option(names = "--jobs", defaultValue = "10", description = "Jobs arriving together (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--job-minutes", defaultValue = "10", description = "How long each job runs (default ${DEFAULT-VALUE}).")
    int jobMinutes;

    @Option(names = "--boot-seconds", defaultValue = "60", description = "Instance boot time (default ${DEFAULT-VALUE}).")
    int bootSeconds;

    @Option(names = "--chart", defaultValue = "demo-output/demo.png", description = "Where to write the chart (PNG).")
    Path chart;

    @Option(names = "--raw", description = "Also print the functions' JSON log lines as they happen.")
    boolean raw;

    @Option(names = "--endpoint", description = "AWS endpoint to use instead of starting the local emulator.")
    Optional<String> endpoint;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        if (endpoint.isPresent()) {
            return run(out, endpoint.get());
        }
        out.println("Starting the local AWS emulator (moto) ...");
        // The emulator this run started is stopped at the end; one that was running already is left running.
        try (Emulator.Lease emulator = Emulator.lease()) {
            Emulator.reset();
            return run(out, emulator.endpoint().toString());
        }
    }

    private int run(PrintStream out, String url) throws IOException {
        AwsClients aws = AwsClients.create("us-east-1", Optional.of(java.net.URI.create(url)));
        TimelineLog log = new TimelineLog(raw ? out : null);
        Instant start = Instant.parse("2026-11-23T08:55:00Z");
        Instant jobsAt = Instant.parse("2026-11-23T09:00:00Z");
        DemoWorld world = new DemoWorld(aws, url, CONFIG, POOL, start, Duration.ofSeconds(bootSeconds), log.stream());
        List<DemoWorld.Job> scenario = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            scenario.add(new DemoWorld.Job(1001 + i, jobsAt, Duration.ofMinutes(jobMinutes)));
        }
        out.printf("Runner Scaler demo on %s%n", url);
        out.printf("pool '%s': IdleCount 2, IdleTime 300 s, MaxGrowthRate 1, limit 6, concurrent 6; boot %d s%n",
                POOL, bootSeconds);
        out.printf("%d GitLab jobs of %d min arrive at %s; the reaper runs every minute.%n%n", jobs, jobMinutes,
                clock(jobsAt));
        long wallStart = System.nanoTime();
        world.run(scenario, Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(7));
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;

        printTimeline(out, log.events());
        printSummary(out, world, log.events(), wallMillis, start);
        Path written = DemoChart.write(world.samples(), chart);
        out.printf("chart: %s%n", written.toAbsolutePath());
        return 0;
    }

    private static void printTimeline(PrintStream out, List<JsonNode> events) {
        out.println("time      event                  subject              detail");
        String lastHold = "";
        for (JsonNode e : events) {
            String event = e.path("event").asText();
            String line = switch (event) {
                case "job.queued" -> row(e, "job queued", e.path("job").asText(),
                        "queued " + e.path("queued").asInt() + ", planner launches " + e.path("launch").asInt());
                case "machine.launched" -> row(e, "machine launching", e.path("instance").asText(),
                        e.path("instanceType").asText() + " " + e.path("market").asText().toLowerCase()
                                + ", reason " + e.path("reason").asText());
                case "machine.idle" -> row(e, "machine idle", e.path("instance").asText(),
                        e.has("job") ? "finished " + e.path("job").asText() + " (" + e.path("buildsDone").asInt()
                                + " builds)" : "booted, reason " + e.path("reason").asText());
                case "machine.busy" -> row(e, "machine busy", e.path("instance").asText(), "runs " + e.path("job").asText());
                case "machine.terminated" -> row(e, "machine terminated", e.path("instance").asText(),
                        "reason " + e.path("reason").asText());
                case "machine.draining" -> row(e, "machine draining", e.path("instance").asText(),
                        "reason " + e.path("reason").asText());
                case "plan.hold" -> {
                    String hold = e.path("reason").asText() + e.path("detail").asText();
                    if (hold.equals(lastHold)) {
                        yield null;
                    }
                    lastHold = hold;
                    yield row(e, "planner holds", e.path("pool").asText(),
                            e.path("reason").asText() + " (" + e.path("detail").asText() + ")");
                }
                default -> null;
            };
            if (line != null) {
                out.println(line);
            }
        }
        out.println();
    }

    private static void printSummary(PrintStream out, DemoWorld world, List<JsonNode> events, long wallMillis,
                                     Instant start) {
        List<Long> waits = world.waits().values().stream().map(Duration::toSeconds).sorted().toList();
        Map<String, Integer> terminated = new LinkedHashMap<>();
        int launched = 0;
        for (JsonNode e : events) {
            if (e.path("event").asText().equals("machine.launched")) {
                launched++;
            }
            if (e.path("event").asText().equals("machine.terminated")) {
                terminated.merge(e.path("reason").asText(), 1, Integer::sum);
            }
        }
        DemoWorld.Sample last = world.samples().get(world.samples().size() - 1);
        out.printf("jobs: %d, wait p50 %d s, max %d s%n", waits.size(), percentile(waits, 50), percentile(waits, 100));
        out.printf("machines: %d launched, terminated %s, at the end %d idle, %d busy%n", launched, terminated,
                last.idle(), last.busy());
        out.printf("simulated %s of pool time in %.1f s of wall time%n",
                Duration.between(start, world.now()).toString().substring(2).toLowerCase(), wallMillis / 1000.0);
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String row(JsonNode e, String what, String subject, String detail) {
        return String.format("%-9s %-22s %-20s %s", clock(Instant.parse(e.path("time").asText())), what, subject, detail);
    }

    private static String clock(Instant t) {
        return HH_MM_SS.format(LocalTime.ofInstant(t, ZoneOffset.UTC));
    }

    static void ensureDirectory(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
    }
}
