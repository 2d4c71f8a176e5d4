package io.runnerscaler.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.PoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code simulate --sweep}: parsing the knobs, editing the pools file as its author would, the frontier, the pick. */
class SweepTest {

    private static final Path DOCKER_MACHINE = SimulateCommandTest.DOCKER_MACHINE;
    private static final Path TUNED = SimulateCommandTest.TUNED;
    private static final Path SCENARIO = SimulateCommandTest.SCENARIO;

    @TempDir
    Path dir;

    private static SimulateCommandTest.Run simulate(String... args) {
        return SimulateCommandTest.simulate(args);
    }

    // The knobs.

    @Test
    void rangesAndListsAreTheValuesAndTheScopeComesFromThePrefix() {
        assertThat(SweepAxis.parse("idleCount=0..3").values()).containsExactly("0", "1", "2", "3");
        assertThat(SweepAxis.parse("idleTime=300,15m, 1h30m").values()).containsExactly("300", "15m", "1h30m");
        assertThat(SweepAxis.parse("idleScaleFactor=0,0.50,1.0").values()).containsExactly("0", "0.5", "1");
        assertThat(SweepAxis.parse("idleCount=1").scope()).isEqualTo(SweepAxis.Scope.EVERYWHERE);
        assertThat(SweepAxis.parse("pool.idleTime=5m").scope()).isEqualTo(SweepAxis.Scope.POOL);
        SweepAxis period = SweepAxis.parse("periods[1].idleCount=2..4");
        assertThat(period.scope()).isEqualTo(SweepAxis.Scope.PERIOD);
        assertThat(period.period()).contains(1);
        assertThat(period.label()).isEqualTo("periods[1].idleCount");
        assertThat(SweepAxis.parse("limit=6,8").scope()).as("a pool-only knob").isEqualTo(SweepAxis.Scope.POOL);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            stoppedMaxAge=1h       | unknown sweep key 'stoppedMaxAge'; the keys are idleCount, idleCountMin, idleScaleFactor, idleTime, stoppedCount (for pools and their periods; prefix pool. or periods[N]. for one place) and limit, maxGrowthRate, maxBuilds (pools only)
            stoppedCount=1.5       | stoppedCount: '1.5' is not a whole number
            idle_count=1           | unknown sweep key 'idle_count'
            idleCount              | 'idleCount' should be KEY=VALUES
            idleCount=             | 'idleCount=' should be KEY=VALUES
            idleCount=3..1         | idleCount=3..1: a range goes up
            idleCount=1,two        | idleCount: 'two' is not a whole number
            idleTime=5x            | idleTime: '5x' is not a duration, like 300, 15m or 1h30m
            idleScaleFactor=-1     | idleScaleFactor: '-1' is not a factor
            idleCount=1,1          | idleCount=1,1: a value is listed twice
            periods[0].limit=3     | 'periods[0].limit': limit is a pool setting, periods do not have it
            """)
    void aBadKnobSaysWhatIsAccepted(String spec, String message) {
        assertThatThrownBy(() -> SweepAxis.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void everyCombinationIsTriedFirstKnobOutermost() {
        List<Sweep.Combination> all = Sweep.combinations(List.of(SweepAxis.parse("idleCount=0..1"),
                SweepAxis.parse("idleTime=300,900")));

        assertThat(all).extracting(Sweep.Combination::label).containsExactly("idleCount=0 idleTime=300",
                "idleCount=0 idleTime=900", "idleCount=1 idleTime=300", "idleCount=1 idleTime=900");
    }

    // Editing the file.

    @Test
    void aValueIsReplacedWhereItStandsAndAMissingKnobIsAddedToItsPoolAndEveryPeriod() throws IOException {
        String yaml = Files.readString(TUNED);
        PoolsYamlEdit file = new PoolsYamlEdit(yaml);
        Sweep.Combination c = Sweep.combinations(List.of(SweepAxis.parse("idleCount=1"),
                SweepAxis.parse("idleTime=15m"), SweepAxis.parse("maxBuilds=20"))).getFirst();

        String edited = file.apply(c.edits(file));

        assertThat(file.pools()).isEqualTo(1);
        assertThat(file.periods(0)).isEqualTo(1);
        assertThat(edited).contains("# A tuned policy for the same runners", "    idleCount: 1\n    idleTime: 15m\n",
                "        idleCount: 1\n", "        idleTime: 15m\n", "# 07:00:00-18:59:59, Monday to Friday",
                "    maxBuilds: 20");
        PoolConfig pool = new ConfigLoader().parse(edited).pools().getFirst();
        assertThat(pool.idle()).isEqualTo(new IdleSettings(1, 0, 0, Duration.ofMinutes(15)));
        assertThat(pool.periods().getFirst().idle()).isEqualTo(new IdleSettings(1, 1, 1.0, Duration.ofMinutes(15)));
        assertThat(pool.maxBuilds()).isEqualTo(20);
        assertThat(UnifiedDiff.of(yaml, edited, "tuned.yaml")).isEqualTo("""
                --- a/tuned.yaml
                +++ b/tuned.yaml
                @@ -20,13 +20,14 @@
                     launchTemplate: runner-scaler-docker
                     market: spot-with-fallback
                     limit: 6
                -    idleCount: 0
                -    idleTime: 120
                +    idleCount: 1
                +    idleTime: 15m
                     maxGrowthRate: 0
                     timezone: UTC
                     periods:
                       - schedules: ["* * 7-18 * * mon-fri *"]    # 07:00:00-18:59:59, Monday to Friday
                -        idleCount: 3
                +        idleCount: 1
                         idleCountMin: 1
                         idleScaleFactor: 1.0
                -        idleTime: 300
                +        idleTime: 15m
                +    maxBuilds: 20
                """);
    }

    @Test
    void stoppedCountIsSweptInThePoolAndEveryPeriodLikeTheIdleKnobs() throws IOException {
        String yaml = Files.readString(TUNED);
        PoolsYamlEdit file = new PoolsYamlEdit(yaml);
        SweepAxis axis = SweepAxis.parse("stoppedCount=0..2");

        String edited = file.apply(Sweep.combinations(List.of(axis)).getLast().edits(file));
        String inPeriod = file.apply(Sweep.combinations(List.of(SweepAxis.parse("periods[0].stoppedCount=1")))
                .getFirst().edits(file));

        assertThat(axis.values()).containsExactly("0", "1", "2");
        PoolConfig pool = new ConfigLoader().parse(edited).pools().getFirst();
        assertThat(pool.idle().stoppedCount()).isEqualTo(2);
        assertThat(pool.periods().getFirst().idle().stoppedCount()).isEqualTo(2);
        PoolConfig byPeriod = new ConfigLoader().parse(inPeriod).pools().getFirst();
        assertThat(byPeriod.idle().stoppedCount()).isZero();
        assertThat(byPeriod.periods().getFirst().idle().stoppedCount()).isEqualTo(1);
    }

    /** The swept table's rows, their cells. */
    private static List<List<String>> rows(String out) {
        return out.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| -")).skip(1)
                .map(l -> java.util.Arrays.stream(l.split("\\|")).map(String::strip).skip(1).toList()).toList();
    }

    @Test
    void aSweptStoppedPoolStartsJobsFromStoppedMachinesAndPaysForTheirVolumes() throws IOException {
        // Jobs apart, so each finds the pool at rest: from a stopped machine it waits its start, else a cold boot.
        Path trace = dir.resolve("apart.csv");
        Files.writeString(trace, """
                id,arrival,duration_seconds,forge,labels
                job-1,900,300,gitlab,docker
                job-2,2700,300,gitlab,docker
                job-3,4500,300,gitlab,docker
                job-4,6300,300,gitlab,docker
                """);
        String[] args = {"--config", DOCKER_MACHINE.toString(), "--trace", trace.toString(), "--sweep",
                "pool.idleCount=0", "--sweep", "pool.stoppedCount=0,3", "--boot-seconds", "120", "--start-seconds",
                "15"};
        SimulateCommandTest.Run free = simulate(concat(args, "--ebs-price", "0"));
        SimulateCommandTest.Run dear = simulate(concat(args, "--ebs-price", "50"));

        assertThat(free.exit()).as(free.err()).isZero();
        assertThat(dear.exit()).as(dear.err()).isZero();
        assertThat(free.out()).contains("| pool.idleCount | pool.stoppedCount |", "start from stopped 15 s");
        java.util.Map<String, List<String>> cheap = byStopped(free.out());
        java.util.Map<String, List<String>> costly = byStopped(dear.out());
        // cells: idleCount, stoppedCount, p50, p95, max, machine-h, cost, note
        assertThat(waitSeconds(cheap.get("3").get(3))).as("p95 with 3 stopped machines")
                .isLessThan(waitSeconds(cheap.get("0").get(3)));
        assertThat(costly.get("0").get(6)).as("no stopped machine, no volume").isEqualTo(cheap.get("0").get(6));
        assertThat(costly.get("3").get(6)).as("stopped volumes are in the cost").isNotEqualTo(cheap.get("3").get(6));
    }

    private static String[] concat(String[] args, String... more) {
        var all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The rows of the sweep with {@code pool.idleCount} 0, by their stoppedCount. */
    private static java.util.Map<String, List<String>> byStopped(String out) {
        var rows = new java.util.LinkedHashMap<String, List<String>>();
        rows(out).forEach(cells -> {
            if (cells.get(0).equals("0")) {
                rows.put(cells.get(1), cells);
            }
        });
        return rows;
    }

    /** A wait as the table prints it ({@code 45 s}, {@code 2 min 05 s}) in seconds. */
    private static long waitSeconds(String wait) {
        var m = java.util.regex.Pattern.compile("(?:(\\d+) min ?)?(?:(\\d+) s)?").matcher(wait.strip());
        assertThat(m.matches()).as(wait).isTrue();
        return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60) + (m.group(2) == null ? 0
                : Long.parseLong(m.group(2)));
    }

    @Test
    void oneScopeTouchesOnlyItsPlace() throws IOException {
        String yaml = Files.readString(TUNED);
        PoolsYamlEdit file = new PoolsYamlEdit(yaml);

        String pool = file.apply(Sweep.combinations(List.of(SweepAxis.parse("pool.idleCount=4"))).getFirst().edits(file));
        String period = file.apply(Sweep.combinations(List.of(SweepAxis.parse("periods[0].idleTime=1h"))).getFirst()
                .edits(file));

        PoolConfig byPool = new ConfigLoader().parse(pool).pools().getFirst();
        assertThat(byPool.idle().idleCount()).isEqualTo(4);
        assertThat(byPool.periods().getFirst().idle().idleCount()).isEqualTo(3);
        PoolConfig byPeriod = new ConfigLoader().parse(period).pools().getFirst();
        assertThat(byPeriod.idle().idleTime()).hasSeconds(120);
        assertThat(byPeriod.periods().getFirst().idle().idleTime()).hasHours(1);
        assertThatThrownBy(() -> Sweep.combinations(List.of(SweepAxis.parse("periods[3].idleCount=1"))).getFirst()
                .edits(file)).hasMessage("periods[3].idleCount: pool 'docker' has 1 period(s)");
    }

    @Test
    void theDiffIsWhatPatchAppliesToTheFile() throws IOException, InterruptedException {
        String yaml = Files.readString(DOCKER_MACHINE);
        PoolsYamlEdit file = new PoolsYamlEdit(yaml);
        String edited = file.apply(Sweep.combinations(List.of(SweepAxis.parse("idleCount=0"),
                SweepAxis.parse("maxBuilds=1"))).getFirst().edits(file));
        Path copy = Files.writeString(dir.resolve("docker-machine.yaml"), yaml);
        Path diff = Files.writeString(dir.resolve("recommended.diff"), UnifiedDiff.of(yaml, edited, "docker-machine.yaml"));

        Process patch = new ProcessBuilder("patch", "-p1", "-i", diff.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String said = new String(patch.getInputStream().readAllBytes());

        assertThat(patch.waitFor()).as(said).isZero();
        assertThat(Files.readString(copy)).isEqualTo(edited);
    }

    // Frontier and pick.

    private static Sweep.Outcome outcome(String label, double cost, int p95Seconds, int notStarted) {
        var line = new PolicyReport.Line("all pools", 10, notStarted, Duration.ZERO, Duration.ofSeconds(p95Seconds),
                Duration.ofSeconds(p95Seconds), 0, cost * 10, cost, cost, 1, 0, 0);
        Optional<Sweep.Combination> combination = label.equals("current") ? Optional.empty()
                : Optional.of(new Sweep.Combination(List.of(new Sweep.Choice(SweepAxis.parse("idleCount=" + label),
                label))));
        return new Sweep.Outcome(combination, "", Optional.empty(),
                Optional.of(new PolicyReport(label, List.of(line), line)));
    }

    @Test
    void theFrontierKeepsWhatNothingCheaperBeatsAndThePickIsTheCheapestWithinTheWait() {
        var current = outcome("current", 8, 400, 0);
        var cheap = outcome("0", 4, 600, 0);
        var dominated = outcome("1", 6, 650, 0);
        var middle = outcome("2", 6, 300, 0);
        var best = outcome("3", 9, 200, 0);
        var unfinished = outcome("4", 1, 100, 3);
        List<Sweep.Outcome> all = List.of(current, cheap, dominated, middle, best, unfinished);

        assertThat(Sweep.frontier(all)).containsExactly(cheap, middle, best);
        assertThat(Sweep.recommended(all, Duration.ofMinutes(5))).contains(middle);
        assertThat(Sweep.recommended(all, Duration.ofMinutes(10))).contains(cheap);
        assertThat(Sweep.recommended(all, Duration.ofSeconds(100))).isEmpty();
        assertThat(Sweep.table(List.of(SweepAxis.parse("idleCount=0..4")), all, Sweep.frontier(all),
                Sweep.recommended(all, Duration.ofMinutes(5)))).contains("| as is     |", "current", "recommended",
                "3 job(s) not started by the end");
    }

    // The command.

    @Test
    void theSweepPrintsEveryCombinationThePickAndItsDiffAndDrawsTheFrontier() throws IOException {
        Path chart = dir.resolve("sweep.png");

        SimulateCommandTest.Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--sweep",
                "idleCount=0..2", "--sweep", "maxGrowthRate=0,1", "--max-p95", "12m", "--chart", chart.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("Swept 6 combination(s) of idleCount, maxGrowthRate on 10 job(s)",
                "| idleCount | maxGrowthRate |", "| as is     | as is         |");
        assertThat(run.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| idleCount")
                && !l.startsWith("| -"))).hasSize(7);
        assertThat(run.out()).contains("recommended: idleCount=0 maxGrowthRate=0: p95 job wait 11 min 00 s",
                "--- a/docker-machine.yaml", "+++ b/docker-machine.yaml", "-    idleCount: 2", "+    idleCount: 0",
                "-    maxGrowthRate: 1", "+    maxGrowthRate: 0", "Chart: " + chart);
        var image = javax.imageio.ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(SweepChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(SweepChart.HEIGHT);
    }

    @Test
    void aCombinationTheLoaderRefusesIsListedAsInvalidAndNeverPicked() {
        SimulateCommandTest.Run run = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--sweep",
                "idleCount=5..7", "--max-p95", "10m");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("invalid: pools[0].idleCount: 7 exceeds limit 6");
        assertThat(run.out()).containsPattern("(?m)^recommended: idleCount=[56]: ");
    }

    @Test
    void sweepUsageErrorsExitTwoAndNameTheFix() {
        SimulateCommandTest.Run unknown = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--sweep",
                "stoppedMaxAge=1h,2h");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--sweep unknown sweep key 'stoppedMaxAge'; the keys are idleCount");
        SimulateCommandTest.Run compare = simulate("--config", DOCKER_MACHINE.toString(), "--compare", TUNED.toString(), "--trace",
                SCENARIO.toString(), "--sweep", "idleCount=0..2");
        assertThat(compare.exit()).isEqualTo(2);
        assertThat(compare.err()).contains("--sweep and --compare do not go together");
        SimulateCommandTest.Run alone = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--max-p95", "2m");
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("--max-p95 and --threads go with --sweep");
        SimulateCommandTest.Run wait = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--sweep",
                "idleCount=0..2", "--max-p95", "soon");
        assertThat(wait.exit()).isEqualTo(2);
        assertThat(wait.err()).contains("--max-p95 'soon' is not a wait like 120, 2m or 1h30m");
        SimulateCommandTest.Run period = simulate("--config", DOCKER_MACHINE.toString(), "--trace", SCENARIO.toString(), "--sweep",
                "periods[0].idleCount=0..2");
        assertThat(period.exit()).isEqualTo(2);
        assertThat(period.err()).contains("pool 'docker' has 0 period(s)");
    }
}
