package io.runnerscaler.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.cli.RunnerScaler;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.sim.JobOutcome;
import io.runnerscaler.core.sim.SimEvent;
import io.runnerscaler.core.sim.SimResult;
import io.runnerscaler.core.sim.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    static final Path EXAMPLES = Path.of("../examples");
    static final Path DOCKER_MACHINE = EXAMPLES.resolve("policies/docker-machine.yaml");
    static final Path TUNED = EXAMPLES.resolve("policies/tuned.yaml");
    static final Path SCENARIO = EXAMPLES.resolve("traces/docker-machine-scenario.csv");

    @TempDir
    Path dir;

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {
    }

    static Run simulate(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("simulate", "--no-progress"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String pool(String market, int limit) {
        return """
                concurrent: 10
                pools:
                  - name: docker
                    forge: gitlab
                    runUntagged: true
                    instanceTypes: [m6i.large]
                    launchTemplate: lt
                    market: %s
                    limit: %d
                    idleCount: 0
                    idleTime: 60
                """.formatted(market, limit);
    }

    // The scenario through the example policy and trace.

    @Test
    void scenarioTraceStartsTwoJobsAtOnceGrowsToSixAndEndsWithTwoIdle() throws IOException {
        ScalerConfig config = new ConfigLoader().parse(Files.readString(DOCKER_MACHINE));
        Trace trace = Trace.parse("scenario", Files.readString(SCENARIO));
        SeededCloud cloud = new SeededCloud(1, Duration.ofSeconds(60), Duration.ZERO, 0);
        SimResult r = Simulation.builder(config).bootTimes(cloud).interruptions(cloud).prewarmed(true).build()
                .runUntilQuiet(trace.jobs(trace.defaultStart()), trace.defaultStart(),
                        trace.defaultStart().plus(Duration.ofDays(1)));

        assertThat(r.events(SimEvent.Kind.JOB_STARTED).stream().filter(e -> e.at().equals(r.start())))
                .extracting(SimEvent::subject).containsExactly("job-1", "job-2");
        List<SimChart.Point> points = SimChart.points(r);
        assertThat(points).extracting(SimChart.Point::machines).allMatch(m -> m <= 6).contains(6);
        assertThat(points.getLast().idle()).isEqualTo(2);
        assertThat(points.getLast().machines()).isEqualTo(2);
        assertThat(r.end()).isEqualTo(r.start().plus(Duration.ofMinutes(27)));
        assertThat(r.jobs()).allSatisfy(j -> assertThat(j.finished()).isPresent());
        assertThat(r.jobs().stream().map(j -> j.waited().orElseThrow().toSeconds()))
                .containsExactly(0L, 0L, 60L, 120L, 180L, 240L, 600L, 600L, 660L, 720L);
    }

    @Test
    void commandPrintsTheScenariosTimelineWithReasonsAndItsSummary() {
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--timeline");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("+00:00:00 docker JOB_STARTED job-1 docker-1",
                "+00:00:00 docker JOB_STARTED job-2 docker-2",
                "+00:00:00 docker HOLD docker GROWTH_RATE 5 more machine(s) wanted; 0 launching, maxGrowthRate 1",
                "+00:03:00 docker LAUNCH_REQUESTED docker-6 JOBS_WAITING on_demand",
                "+00:27:00 docker MACHINE_TERMINATED docker-4 IDLE_TIME_EXCEEDED");
        assertThat(run.out()).doesNotContain("docker-7");
        // waits 0,0,60,...,720: nearest-rank p50 is the 5th (180 s), p95 the 10th (720 s); 6 machines
        // over the 27 minutes: 2 x 27 + (26-0) + (27-1) + (20-2) + (20-3) min = 141 min = 2.35 h.
        assertThat(run.out()).containsPattern(
                "\\| docker +\\| +10 \\| +3 min 00 s \\| +12 min 00 s \\| +12 min 00 s \\| +0\\.00 \\| +2\\.35 \\| +\\$0\\.226 \\|");
    }

    @Test
    void theScenariosWaitsAreSplitByTheWayEachJobCameToRun() {
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--boot-seconds", "60");

        // Jobs 1-2 start at once on the two prewarmed machines and 7-10 on machines that finished a job: idle,
        // waits 0, 0, 600, 600, 660, 720 s. Jobs 3-6 each wait for a machine launched for them: cold, 60-240 s.
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("\\| cold +\\| +4 \\| +2 min 00 s \\| +4 min 00 s \\| +4 min 00 s \\|")
                .containsPattern("\\| idle +\\| +6 \\| +10 min 00 s \\| +12 min 00 s \\| +12 min 00 s \\|")
                .doesNotContain("| stopped");
    }

    // Comparison numbers, worked out by hand on a tiny trace.

    @Test
    void comparisonOfTwoPoliciesOnATinyTraceHasTheHandComputedNumbers() throws IOException {
        Path trace = file("two.csv", "arrival,duration_seconds,forge\n0,600,gitlab\n0,600,gitlab\n");
        Path oneOnDemand = file("one-on-demand.yaml", pool("on-demand", 1));
        Path twoSpot = file("two-spot.yaml", pool("spot", 2));

        Run run = simulate("--config", oneOnDemand.toString(), "--compare", twoSpot.toString(), "--trace",
                trace.toString(), "--on-demand-price", "0.1", "--spot-price", "0.03");

        // one-on-demand: one machine, launched at 0, ready at 60; job 1 runs 60-660, job 2 660-1260; idle
        // until 1320 (idleTime 60): 1320 s = 0.37 h, $0.037 on demand. Waits 60 s and 660 s.
        // two-spot: two machines, both jobs run 60-660, machines gone at 720: 1440 s = 0.4 h; spot
        // $0.012, all on-demand $0.04. Waits 60 s and 60 s.
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(
                "| p50 job wait                           |          60 s |       60 s |   same |",
                "| p95 job wait                           |   11 min 00 s |       60 s |  -91 % |",
                "| max job wait                           |   11 min 00 s |       60 s |  -91 % |",
                "| machine-hours                          |          0.37 |       0.40 |   +9 % |",
                "| of which spot                          |          0.00 |       0.40 |        |",
                "| cost (spot where the policy buys spot) |        $0.037 |     $0.012 |  -67 % |",
                "| cost all on-demand                     |        $0.037 |     $0.040 |   +9 % |",
                "| spot-first cost vs all on-demand       |     0 % lower | 70 % lower |        |",
                "| machines launched                      |             1 |          2 |        |");
    }

    @Test
    void reportComputesPercentilesHoursAndCostsPerMarket() throws IOException {
        ScalerConfig config = new ConfigLoader().parse(pool("spot", 2));
        Trace trace = Trace.parse("two", "arrival,duration_seconds,forge\n0,600,gitlab\n0,600,gitlab\n");
        Instant start = Trace.DEFAULT_START;
        SimResult r = Simulation.builder(config).prewarmed(true).build()
                .runUntilQuiet(trace.jobs(start), start, start.plus(Duration.ofHours(1)));
        PolicyReport report = PolicyReport.of("two-spot", config, r, new Prices(new Prices.Price(0.1, 0.03),
                java.util.Map.of()));

        PolicyReport.Line line = report.total();
        assertThat(line.jobs()).isEqualTo(2);
        assertThat(line.p50()).isEqualTo(Duration.ofSeconds(60));
        assertThat(line.p95()).isEqualTo(Duration.ofSeconds(60));
        assertThat(line.spotHours()).isEqualTo(0.4);
        assertThat(line.onDemandHours()).isZero();
        assertThat(line.cost()).isCloseTo(0.012, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(line.costOnDemand()).isCloseTo(0.04, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(line.launched()).isEqualTo(2);
    }

    @Test
    void nearestRankPercentiles() {
        List<Duration> waits = java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(Duration::ofSeconds).toList();
        assertThat(PolicyReport.percentile(waits, 50)).isEqualTo(Duration.ofSeconds(10));
        assertThat(PolicyReport.percentile(waits, 95)).isEqualTo(Duration.ofSeconds(19));
        assertThat(PolicyReport.percentile(List.of(Duration.ofSeconds(7)), 95)).isEqualTo(Duration.ofSeconds(7));
        assertThat(PolicyReport.percentile(List.of(), 95)).isEqualTo(Duration.ZERO);
    }

    @Test
    void jobsOnInterruptedSpotMachinesAreRetriedAndAllFinish() throws IOException {
        ScalerConfig config = new ConfigLoader().parse(pool("spot", 3));
        StringBuilder csv = new StringBuilder("arrival,duration_seconds,forge\n");
        for (int i = 0; i < 30; i++) {
            csv.append(i * 120).append(",1800,gitlab\n");
        }
        Trace trace = Trace.parse("t", csv.toString());
        Instant start = Trace.DEFAULT_START;
        SeededCloud cloud = new SeededCloud(7, Duration.ofSeconds(60), Duration.ofSeconds(30), 2.0);
        SimResult r = Simulation.builder(config).bootTimes(cloud).interruptions(cloud).build()
                .runUntilQuiet(trace.jobs(start), start, start.plus(Duration.ofDays(2)));
        PolicyReport report = PolicyReport.of("spot", config, r, new Prices(Prices.DEFAULT, java.util.Map.of()));

        assertThat(report.total().interrupted()).isPositive();
        assertThat(report.total().retried()).isPositive()
                .isEqualTo((int) r.jobs().stream().filter(j -> j.attempts() > 1).count());
        assertThat(r.jobs()).allSatisfy(j -> assertThat(j.finished()).isPresent());
        assertThat(r.jobs()).extracting(JobOutcome::attempts).allMatch(a -> a >= 1);
    }

    @Test
    void seededCloudIsDeterministicAndWithinTheJitter() {
        var pool = new ConfigLoader().parse(pool("spot", 1)).pools().getFirst();
        SeededCloud cloud = new SeededCloud(3, Duration.ofSeconds(60), Duration.ofSeconds(30), 0.05);
        for (int i = 0; i < 200; i++) {
            Duration boot = cloud.bootTime(pool, "docker-" + i);
            assertThat(boot).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(90))
                    .isEqualTo(new SeededCloud(3, Duration.ofSeconds(60), Duration.ofSeconds(30), 0.05)
                            .bootTime(pool, "docker-" + i));
        }
        assertThat(cloud.interruptAfter(pool, "docker-1", io.runnerscaler.core.model.Market.ON_DEMAND)).isEmpty();
        assertThat(cloud.interruptAfter(pool, "docker-1", io.runnerscaler.core.model.Market.SPOT)).isPresent();
    }

    // Charts.

    @Test
    void writesAPngWithAPanelPerPolicyAndOneOfBothWaitDistributions() throws IOException {
        Path png = dir.resolve("out/compare.png");
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--compare", TUNED.toString(), "--trace",
                SCENARIO.toString(), "--chart", png.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).hasSizeGreaterThan(1000).startsWith(0x89, 'P', 'N', 'G');
        var image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(image.getHeight()).isEqualTo(3 * SimChart.PANEL_HEIGHT);
        assertThat(run.out()).contains("Chart: " + png);
    }

    @Test
    void theTimelineAveragesEachStateOverItsBucketWeightedByTime() {
        Instant t0 = Trace.DEFAULT_START;
        List<SimChart.Point> points = List.of(new SimChart.Point(t0, 0, 0, 2, 0, 0),
                new SimChart.Point(t0.plusSeconds(60), 3, 1, 0, 2, 0),
                new SimChart.Point(t0.plusSeconds(240), 0, 0, 1, 3, 0));

        List<SimChart.Mean> means = SimChart.means(points, t0, t0.plusSeconds(600), Duration.ofMinutes(5));

        assertThat(means).hasSize(2);
        // 0-60 s: 2 idle; 60-240 s: 3 queued, 1 launching, 2 busy; 240-300 s: 1 idle, 3 busy.
        assertThat(means.get(0)).isEqualTo(new SimChart.Mean(t0, 3 * 180 / 300.0, 180 / 300.0,
                (2 * 60 + 60) / 300.0, (2 * 180 + 3 * 60) / 300.0, 0));
        assertThat(means.get(1)).isEqualTo(new SimChart.Mean(t0.plusSeconds(300), 0, 0, 1, 3, 0));
        assertThat(SimChart.bucket(t0, t0.plus(Duration.ofDays(1)))).isEqualTo(Duration.ofMinutes(5));
        assertThat(SimChart.bucket(t0, t0.plus(Duration.ofDays(7)))).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void writesAnSvgWhenTheNameSaysSo() throws IOException {
        Path svg = dir.resolve("scenario.svg");
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--chart",
                svg.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.readString(svg)).contains("<svg").contains("viewBox=\"0 0 1100 420\"").hasSizeGreaterThan(1000);
    }

    @Test
    void chartPerConfigWritesOneFilePerPolicy() throws IOException {
        Path png = dir.resolve("sim.png");
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--compare", TUNED.toString(), "--trace",
                SCENARIO.toString(), "--chart", png.toString(), "--chart-per-config");

        assertThat(run.exit()).as(run.err()).isZero();
        for (String name : List.of("sim-docker-machine.png", "sim-tuned.png")) {
            var image = javax.imageio.ImageIO.read(dir.resolve(name).toFile());
            assertThat(image.getHeight()).isEqualTo(SimChart.PANEL_HEIGHT);
        }
        assertThat(png).doesNotExist();
    }

    @Test
    void severalPoolsGetALineEachAndATotalAndUnmatchedJobsAreReported() throws IOException {
        Path config = file("two-pools.yaml", """
                concurrent: 10
                pools:
                  - name: docker
                    forge: gitlab
                    labels: [docker]
                    instanceTypes: [m6i.large]
                    launchTemplate: lt
                    limit: 2
                    idleTime: 60
                  - name: arm
                    forge: github
                    labels: [arm-large]
                    instanceTypes: [m7g.large]
                    launchTemplate: lt
                    market: spot
                    limit: 2
                    idleTime: 60
                """);
        Path trace = file("mixed.csv", """
                id,arrival,duration_seconds,forge,labels
                a,0,600,gitlab,docker
                b,0,600,github,arm-large
                c,0,600,gitlab,windows
                """);

        Run run = simulate("--config", config.toString(), "--trace", trace.toString(), "--price", "m7g.large=0.08/0.02");

        assertThat(run.exit()).as(run.err()).isZero();
        // Each pool launches one machine at 0 (ready at 60, job to 660, gone at 720): 0.2 h each.
        assertThat(run.out()).containsPattern("\\| docker +\\| +1 \\| +60 s .*\\| +0\\.00 \\| +0\\.20 \\| +\\$0\\.019 \\|")
                .containsPattern("\\| arm +\\| +1 \\| +60 s .*\\| +0\\.20 \\| +0\\.00 \\| +\\$0\\.004 \\| +\\$0\\.016 \\|")
                .containsPattern("\\| all pools +\\| +2 \\| .*\\| +0\\.20 \\| +0\\.20 \\| +\\$0\\.023 \\| +\\$0\\.035 \\|");
        assertThat(run.err()).contains("warning: 1 job(s) matched no pool", "first: c");
        assertThat(run.err()).as("simulated, but a stack without a GitHub App would refuse the GitHub pool")
                .contains("warning: " + config + ": pool 'arm': GitHub pools need the stack's GitHub App")
                .doesNotContain("pool 'docker': GitHub");
    }

    @Test
    void progressBarRedrawsOneLineAndEndsAtAHundredPercent() {
        var out = new StringWriter();
        Instant start = Trace.DEFAULT_START;
        ProgressBar bar = new ProgressBar(new PrintWriter(out), "simulating x", start, start.plusSeconds(100));
        bar.accept(start.plusSeconds(50));
        bar.finish();
        assertThat(out.toString()).isEqualTo("\rsimulating x [###############               ] 50 %\u001b[K"
                + "\rsimulating x [##############################] 100 %\u001b[K\n");
    }

    // Errors and exit codes.

    @Test
    void helpExitsZero() {
        Run run = simulate("--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("Usage: runner-scaler simulate", "--compare", "--interruption-rate",
                "docs/simulate.md");
    }

    @Test
    void aBadTraceLineNamesTheFileAndLineAndExitsOne() throws IOException {
        Path trace = file("jobs.csv", "arrival,duration_seconds,forge\n0,600,gitlab\n60,ten,gitlab\n");
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", trace.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(trace + ":3: duration_seconds 'ten' is not a number of seconds");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aBadConfigPrintsTheConfigsOwnMessagesAndExitsOne() throws IOException {
        Path config = file("bad.yaml", pool("spot", 3).replace("idleCount: 0", "idleCount: 5"));
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--compare", config.toString(), "--trace",
                SCENARIO.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(config + ": ").contains("pools[0].idleCount: 5 exceeds limit 3 (line 10)");
    }

    @Test
    void aMissingFileExitsOne() {
        Run run = simulate("--config", dirPath("nope.yaml"), "--trace", SCENARIO.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no such file: ").contains("nope.yaml");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(simulate("--config", DOCKER_MACHINE.toString()).exit()).isEqualTo(2);
        Run until = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--until", "soon");
        assertThat(until.exit()).isEqualTo(2);
        assertThat(until.err()).contains("--until 'soon' is neither an ISO instant");
        Run price = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--price", "m6i");
        assertThat(price.exit()).isEqualTo(2);
        assertThat(price.err()).contains("TYPE=ON_DEMAND/SPOT");
        assertThat(simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(),
                "--interruption-rate", "-1").exit()).isEqualTo(2);
    }

    @Test
    void untilCutsTheWindowAndCountsJobsNotStarted() {
        Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--until", "5m");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("to 2026-03-02T00:05:00Z", "10 (4 not started)");
    }

    @Test
    void untilReadsDurationsAsTheConfigDoesAndInstants() {
        for (String until : List.of("1h30m", "5400", "90m", "2026-03-02T01:30:00Z")) {
            Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--until", until);
            assertThat(run.exit()).as(until).isZero();
            assertThat(run.out()).as(until).contains("to 2026-03-02T01:30:00Z");
        }
    }

    private String dirPath(String name) {
        return dir.resolve(name).toString();
    }
}
