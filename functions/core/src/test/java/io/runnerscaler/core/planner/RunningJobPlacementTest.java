package io.runnerscaler.core.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where a job that started runs, as a table: the forge's word (GitLab's runner manager, GitHub's runner name, the
 * runner id against the pool's) before any guess, and a job on a runner that is not ours on none of our machines.
 */
class RunningJobPlacementTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:10:00Z");
    private static final String JOB = "gitlab:1977";
    /** Machine a: idle longest; b: launched for the job; c: idle since later; s_ ids per RunnerIdentity. */
    private static final String A = "i-0a1b2c3d4e5f60001";
    private static final String B = "i-0a1b2c3d4e5f60002";
    private static final String C = "i-0a1b2c3d4e5f60003";

    private final Planner planner = new Planner();

    record Case(String behaviour, Forge forge, List<Machine> machines, RunningJob job, String expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Case> cases() {
        List<Machine> pool = List.of(idle(A, 600), launchingFor(B, JOB), idle(C, 60));
        return Stream.of(
                new Case("the runner manager GitLab names is the machine marked busy, not the one launched for the job",
                        Forge.GITLAB, pool, job(Optional.of("9171"), Optional.of(systemId(C)), Optional.empty()),
                        "C RUNNER_MANAGER"),
                new Case("a runner manager that is none of the pool's machines marks nothing busy",
                        Forge.GITLAB, pool, job(Optional.of("9171"), Optional.of("s_0123456789ab"), Optional.empty()),
                        "nowhere UNKNOWN_MACHINE"),
                new Case("another runner's manager (any system id shape) marks nothing busy",
                        Forge.GITLAB, pool, job(Optional.of("4242"), Optional.of("runner-1"), Optional.of("9171")),
                        "nowhere OTHER_RUNNER"),
                new Case("a job another runner took, without a manager, marks nothing busy",
                        Forge.GITLAB, pool, job(Optional.of("4242"), Optional.empty(), Optional.of("9171")),
                        "nowhere OTHER_RUNNER"),
                new Case("the pool's runner without a manager (GitLab before 17.0): the machine launched for the job",
                        Forge.GITLAB, pool, job(Optional.of("9171"), Optional.empty(), Optional.of("9171")),
                        "B LAUNCHED_FOR_JOB"),
                new Case("nothing named and the pool's runner unknown (no API token): the machine launched for the job",
                        Forge.GITLAB, pool, job(Optional.of("4242"), Optional.empty(), Optional.empty()),
                        "B LAUNCHED_FOR_JOB"),
                new Case("nothing named, nothing launched for the job: the machine idle the longest",
                        Forge.GITLAB, List.of(idle(C, 60), idle(A, 600)), job(Optional.empty(), Optional.empty(),
                                Optional.empty()), "A LONGEST_IDLE"),
                new Case("nothing named, nothing idle: the machine launching the longest",
                        Forge.GITLAB, List.of(launchingFor(B, "gitlab:1"), busy(C, "gitlab:2")),
                        job(Optional.empty(), Optional.empty(), Optional.empty()), "B OLDEST_LAUNCHING"),
                new Case("nothing named, every machine busy with other jobs: nowhere",
                        Forge.GITLAB, List.of(busy(C, "gitlab:2")), job(Optional.empty(), Optional.empty(),
                                Optional.empty()), "nowhere NO_MACHINE"),
                new Case("a redelivered running event finds the machine already busy with the job",
                        Forge.GITLAB, List.of(idle(A, 600), busy(C, JOB)), job(Optional.of("9171"),
                                Optional.of(systemId(A)), Optional.empty()), "C ALREADY_BUSY"),
                new Case("a manager GitLab names replaces a busy mark the finished event of its last job has not cleared",
                        Forge.GITLAB, List.of(busy(C, "gitlab:1"), idle(A, 600)), job(Optional.of("9171"),
                                Optional.of(systemId(C)), Optional.empty()), "C RUNNER_MANAGER"),
                new Case("a GitHub runner named after a machine of the pool is that machine",
                        Forge.GITHUB, pool, github("docker-" + C), "C RUNNER_NAME"),
                new Case("a GitHub runner that is no machine of the pool's marks nothing busy",
                        Forge.GITHUB, pool, github("org-runner-7"), "nowhere OTHER_RUNNER"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void placesTheJobWhereTheForgeSaysAndGuessesOnlyWhenItSaysNothing(Case c) {
        Placement placement = planner.placeRunningJob(pool(c.forge()), c.machines(), c.job());

        String got = switch (placement) {
            case Placement.OnMachine on -> letter(on.machine().instanceId()) + " " + on.reason();
            case Placement.Nowhere n -> "nowhere " + n.reason();
        };
        assertThat(got).isEqualTo(c.expected());
    }

    private static String systemId(String instanceId) {
        return new io.runnerscaler.core.runner.RunnerIdentity("docker", instanceId).gitlabSystemId();
    }

    private static String letter(String instanceId) {
        return instanceId.equals(A) ? "A" : instanceId.equals(B) ? "B" : instanceId.equals(C) ? "C" : instanceId;
    }

    private static RunningJob job(Optional<String> runnerId, Optional<String> manager, Optional<String> poolRunner) {
        return new RunningJob(JOB, Optional.of("runner-scaler docker pool"), runnerId, manager, poolRunner);
    }

    private static RunningJob github(String runnerName) {
        return new RunningJob(JOB, Optional.of(runnerName), Optional.of("23"), Optional.empty(), Optional.empty());
    }

    private static PoolConfig pool(Forge forge) {
        PoolConfig p = Pools.pool().build();
        return new PoolConfig(p.name(), forge, p.labels(), p.runUntagged(), p.instanceTypes(), p.subnets(),
                p.launchTemplate(), p.ami(), p.market(), p.limit(), p.idle(), p.maxGrowthRate(), p.maxBuilds(),
                p.periods(), p.timezone(), p.tokenParameter(), p.bootTimeout());
    }

    private static Machine idle(String id, int idleForSeconds) {
        return new Machine(id, "docker", MachineState.IDLE, Market.SPOT, "m7i.large", 0, NOW.minusSeconds(3600),
                NOW.minusSeconds(idleForSeconds), Optional.empty());
    }

    private static Machine launchingFor(String id, String job) {
        return new Machine(id, "docker", MachineState.LAUNCHING, Market.SPOT, "m7i.large", 0, NOW.minusSeconds(120),
                NOW.minusSeconds(120), Optional.of(job));
    }

    private static Machine busy(String id, String job) {
        return new Machine(id, "docker", MachineState.BUSY, Market.SPOT, "m7i.large", 0, NOW.minusSeconds(3600),
                NOW.minusSeconds(300), Optional.of(job));
    }
}
