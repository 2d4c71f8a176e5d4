package io.runnerscaler.benchmarks;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one {@link Planner#plan} call for a pool of 100, 1,000 and 10,000 machines: 70 % busy, 20 %
 * idle (a third of them past IdleTime, so the removal walk runs), 5 % launching, 5 % draining, 50 jobs
 * queued, two periods in Europe/Berlin. Target: under 1 ms at 10,000 machines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlannerBenchmark {

    private static final Instant NOW = Instant.parse("2026-03-30T08:30:00Z"); // Monday 10:30 in Berlin

    @Param({"100", "1000", "10000"})
    public int machines;

    private final Planner planner = new Planner();
    private PoolState state;

    @Setup(Level.Trial)
    public void setUp() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        int idleCount = machines / 10;
        PoolConfig pool = new PoolConfig("bench", Forge.GITLAB, Set.of("docker"), true, List.of("m7i.large"),
                List.of("subnet-1"), "lt", Optional.empty(), MarketPolicy.SPOT_WITH_FALLBACK, machines + 100,
                new IdleSettings(idleCount, 0, 0, Duration.ofMinutes(10)), 20, 50,
                List.of(new PeriodConfig(List.of("* * 9-17 * * mon-fri *"),
                                new IdleSettings(idleCount, idleCount / 2, 0.25, Duration.ofMinutes(30)), berlin),
                        new PeriodConfig(List.of("* * * * * sat,sun *"),
                                new IdleSettings(1, 0, 0, Duration.ofMinutes(1)), berlin)),
                berlin, Optional.of("/bench/token"), Duration.ofMinutes(10));
        Random random = new Random(42);
        List<Machine> list = new ArrayList<>(machines);
        for (int i = 0; i < machines; i++) {
            int roll = random.nextInt(100);
            MachineState s = roll < 70 ? MachineState.BUSY : roll < 90 ? MachineState.IDLE
                    : roll < 95 ? MachineState.LAUNCHING : MachineState.DRAINING;
            Instant launched = NOW.minusSeconds(s == MachineState.LAUNCHING ? random.nextInt(300)
                    : 600 + random.nextInt(20_000));
            Instant since = s == MachineState.IDLE ? NOW.minusSeconds(random.nextInt(2700)) : launched;
            Optional<String> job = s == MachineState.BUSY || (s == MachineState.DRAINING && random.nextBoolean())
                    ? Optional.of("job-" + i) : Optional.empty();
            list.add(new Machine(String.format("i-%017x", i), "bench", s, Market.SPOT, "m7i.large",
                    random.nextInt(50), launched, since, job));
        }
        state = new PoolState(pool, list, 50, machines, machines * 2);
    }

    @Benchmark
    public Plan plan() {
        return planner.plan(state, NOW);
    }
}
