package io.runnerscaler.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.memory.InMemoryFleet;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Pools;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Invariants of the planner, over generated pools and histories of jobs, boot times, interruptions, spot capacity
 * errors and reaper ticks played through the simulator, which carries plans out with the real executor over the
 * in-memory adapters (reservations, grants, the fallback), and over arbitrary machine snapshots.
 */
class PlannerPropertiesTest {

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

    /**
     * A generated world: a pool, a trace of jobs, and a seed for boot times, interruptions and spot capacity
     * errors (a third of spot launches fall short, some entirely).
     */
    record History(PoolConfig pool, int concurrent, List<SimJob> jobs, long seed, boolean interruptions,
                   boolean spotShortfalls) {
    }

    @Provide
    Arbitrary<PoolConfig> pools() {
        Arbitrary<Integer> limit = Arbitraries.integers().between(1, 12);
        return Combinators.combine(limit, Arbitraries.integers().between(0, 12), Arbitraries.integers().between(0, 12),
                        Arbitraries.of(0.0, 0.5, 1.0, 1.5, 3.0), Arbitraries.integers().between(0, 900),
                        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 3),
                        Arbitraries.of(MarketPolicy.values()))
                .as((lim, count, min, factor, idleTime, growth, maxBuilds, market) -> {
                    int idleCount = Math.min(count, lim);
                    return Pools.pool().limit(lim)
                            .idle(new IdleSettings(idleCount, Math.min(min, idleCount), factor,
                                    Duration.ofSeconds(idleTime)))
                            .maxGrowthRate(growth).maxBuilds(maxBuilds).market(market)
                            .bootTimeout(Duration.ofSeconds(300));
                })
                // A stopped pool in some, within what the config allows: idleCount + stoppedCount <= limit.
                .flatMap(pools -> Arbitraries.integers().between(0, 4).map(stopped -> pools.stopped(
                        Math.max(0, Math.min(stopped, pools.limit() - pools.idle().idleCount()))).build()));
    }

    @Provide
    Arbitrary<History> histories() {
        Arbitrary<SimJob> job = Combinators.combine(Arbitraries.integers().between(0, 7200),
                        Arbitraries.integers().between(1, 1800))
                .as((at, runs) -> new SimJob("?", Forge.GITLAB, Set.of(), START.plusSeconds(at),
                        Duration.ofSeconds(runs)));
        Arbitrary<List<SimJob>> jobs = job.list().ofMaxSize(25).map(list -> {
            List<SimJob> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                SimJob j = list.get(i);
                named.add(new SimJob("job-" + i, j.forge(), j.labels(), j.arrival(), j.duration()));
            }
            return named;
        });
        return Combinators.combine(pools(), Arbitraries.integers().between(1, 20), jobs, Arbitraries.longs(),
                Arbitraries.of(true, false), Arbitraries.of(true, false)).as(History::new);
    }

    private static SimResult simulate(History h) {
        Random random = new Random(h.seed());
        Map<String, Duration> boots = new HashMap<>();
        Interruptions interruptions = h.interruptions()
                ? (pool, id, market) -> market == Market.SPOT && random.nextInt(4) == 0
                        ? Optional.of(Duration.ofSeconds(30 + random.nextInt(3000))) : Optional.empty()
                : Interruptions.NONE;
        return Simulation.builder(new ScalerConfig(h.concurrent(), List.of(h.pool())))
                // a few machines never finish booting, to exercise the boot timeout
                .bootTimes((pool, id) -> boots.computeIfAbsent(id,
                        k -> Duration.ofSeconds(random.nextInt(10) == 0 ? 10_000 : 20 + random.nextInt(200))))
                .interruptions(interruptions)
                .supply(h.spotShortfalls() ? (pool, count, market) -> market == Market.SPOT && random.nextInt(3) == 0
                        ? InMemoryFleet.Answer.capacity(random.nextInt(count), count)
                        : new InMemoryFleet.Answer(count, List.of()) : InMemoryFleet.Supply.UNLIMITED)
                .prewarmed(random.nextBoolean())
                .reaperInterval(Duration.ofMinutes(5))
                .build()
                .run(h.jobs(), START, START.plus(Duration.ofHours(40)));
    }

    /**
     * 10,000 histories (at least that many, by the project's rule), generated ones with edge cases mixed in (left
     * to fill the tries first, the edge cases alone would use them all up); the simulator also fails any run in
     * which a BUSY machine is terminated, at the fleet, whatever the plan said.
     */
    @Property(tries = 10_000, edgeCases = EdgeCasesMode.MIXIN)
    void neverMoreMachinesThanLimitAndNeverABusyMachineTerminated(@ForAll("histories") History h) {
        SimResult r = simulate(h);
        assertThat(r.samples()).allSatisfy(s -> assertThat(s.machines()).isLessThanOrEqualTo(h.pool().limit()));
        assertThat(r.usage().get("docker").launched() - r.usage().get("docker").terminated()
                - r.usage().get("docker").interrupted()).isBetween(0, h.pool().limit());
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.MIXIN)
    void neverMoreThanMaxGrowthRateLaunching(@ForAll("histories") History h) {
        int growth = h.pool().maxGrowthRate() == 0 ? Integer.MAX_VALUE : h.pool().maxGrowthRate();
        assertThat(simulate(h).samples()).allSatisfy(s -> assertThat(s.launching()).isLessThanOrEqualTo(growth));
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.MIXIN)
    void everyJobRunsAndIdleMachinesConvergeToTheTarget(@ForAll("histories") History h) {
        // The simulator itself fails the run if the planner ever picks a BUSY machine for termination.
        SimResult r = simulate(h);
        assertThat(r.jobs()).allSatisfy(j -> assertThat(j.finished()).as(j.job().id()).isPresent());
        int target = Math.min(h.pool().limit(), Planner.idleTarget(h.pool().idle(), 0));
        Sample last = r.samples().getLast();
        assertThat(last.queued()).isZero();
        assertThat(last.busy()).isZero();
        assertThat(last.launching()).isZero();
        assertThat(last.idle()).isEqualTo(target);
    }

    @Property(tries = 500)
    void planNeverTerminatesBusyNorExceedsLimitOrGrowthRate(@ForAll("pools") PoolConfig pool,
            @ForAll("snapshots") List<Machine> machines, @ForAll @IntRange(max = 30) int queued,
            @ForAll @IntRange(max = 40) int running, @ForAll @IntRange(min = 1, max = 40) int concurrent,
            @ForAll @IntRange(max = 86_400) int secondsLater) {
        Instant now = START.plusSeconds(secondsLater);
        Plan plan = new Planner().plan(new PoolState(pool, machines, queued, running, concurrent), now);
        Map<String, Machine> byId = new HashMap<>();
        machines.forEach(m -> byId.put(m.instanceId(), m));
        for (Action.Terminate t : plan.terminations()) {
            assertThat(byId.get(t.instanceId()).state()).as(t.toString()).isNotEqualTo(MachineState.BUSY);
            if (byId.get(t.instanceId()).state() == MachineState.DRAINING) {
                assertThat(byId.get(t.instanceId()).jobId()).isEmpty();
            }
        }
        assertThat(plan.terminations()).extracting(Action.Terminate::instanceId).doesNotHaveDuplicates();
        for (Action.Discard d : plan.discards()) {
            assertThat(byId.get(d.instanceId()).state()).as(d.toString()).isNotEqualTo(MachineState.BUSY);
        }
        Set<String> terminated = new java.util.HashSet<>();
        plan.terminations().forEach(t -> terminated.add(t.instanceId()));
        plan.discards().forEach(d -> terminated.add(d.instanceId()));
        long alive = machines.stream().filter(m -> m.state().isAlive()).count();
        long launching = machines.stream()
                .filter(m -> m.state() == MachineState.LAUNCHING && !terminated.contains(m.instanceId())).count();
        if (plan.launchCount() > 0) {
            assertThat(alive - terminated.size() + plan.launchCount()).isLessThanOrEqualTo(pool.limit());
            if (pool.maxGrowthRate() > 0) {
                assertThat(launching + plan.launchCount()).isLessThanOrEqualTo(pool.maxGrowthRate());
            }
        }
    }

    /**
     * Machines of the stopped pool (WARMING, STOPPING, STOPPED) are never counted idle, busy or launching, are only
     * ever started, stopped or discarded (nothing registered on them to ask), and a start is only ever of a stopped
     * machine, once.
     */
    @Property(tries = 500)
    void stoppedMachinesAreNeverCountedIdleOrBusyAndOnlyStoppedOnesStart(@ForAll("pools") PoolConfig pool,
            @ForAll("snapshots") List<Machine> machines, @ForAll @IntRange(max = 30) int queued,
            @ForAll @IntRange(max = 86_400) int secondsLater) {
        Plan plan = new Planner().plan(new PoolState(pool, machines, queued, 0, 100), START.plusSeconds(secondsLater));
        Map<String, Machine> byId = new HashMap<>();
        machines.forEach(m -> byId.put(m.instanceId(), m));
        assertThat(plan.assessment().idle()).isLessThanOrEqualTo(count(machines, MachineState.IDLE));
        assertThat(plan.assessment().busy()).isLessThanOrEqualTo(count(machines, MachineState.BUSY)
                + count(machines, MachineState.DRAINING));
        assertThat(plan.assessment().launching()).isLessThanOrEqualTo(count(machines, MachineState.LAUNCHING));
        List<String> started = plan.actions().stream().filter(Action.Start.class::isInstance)
                .map(a -> ((Action.Start) a).instanceId()).toList();
        assertThat(started).doesNotHaveDuplicates().allSatisfy(id -> assertThat(byId.get(id).state())
                .isIn(MachineState.STOPPED, MachineState.STOPPING));
        assertThat(plan.terminations()).allSatisfy(t -> assertThat(byId.get(t.instanceId()).state().isPooled())
                .as(t.toString()).isFalse());
        assertThat(plan.actions().stream().filter(Action.Stop.class::isInstance)
                .map(a -> byId.get(((Action.Stop) a).instanceId()).state()))
                .allSatisfy(st -> assertThat(st).isIn(MachineState.WARMING, MachineState.STOPPING));
    }

    private static int count(List<Machine> machines, MachineState state) {
        return (int) machines.stream().filter(m -> m.state() == state).count();
    }

    @Provide
    Arbitrary<List<Machine>> snapshots() {
        Arbitrary<Machine> machine = Combinators.combine(Arbitraries.of(MachineState.values()),
                        Arbitraries.integers().between(0, 90_000), Arbitraries.integers().between(0, 90_000),
                        Arbitraries.integers().between(0, 4), Arbitraries.of(true, false))
                .as((state, launchedAgo, inStateFor, builds, withJob) -> new Machine("?", "docker", state, Market.SPOT,
                        "m7i.large", builds, START.minusSeconds(launchedAgo),
                        START.minusSeconds(Math.min(launchedAgo, inStateFor)),
                        state == MachineState.BUSY || (state == MachineState.DRAINING && withJob)
                                ? Optional.of("job") : Optional.empty()));
        return machine.list().ofMaxSize(25).map(list -> {
            List<Machine> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Machine m = list.get(i);
                named.add(new Machine("i-" + i, m.pool(), m.state(), m.market(), m.instanceType(), m.buildsDone(),
                        m.launchedAt(), m.stateSince(), m.jobId()));
            }
            return named;
        });
    }
}
