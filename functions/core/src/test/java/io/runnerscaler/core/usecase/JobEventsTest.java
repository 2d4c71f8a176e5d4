package io.runnerscaler.core.usecase;

import static io.runnerscaler.core.usecase.World.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.runner.RunnerBinding;
import io.runnerscaler.core.runner.RunnerIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Job events over the in-memory adapters: a queued job gets a machine, running and finished move it. */
class JobEventsTest {

    private final World world = new World();

    @Test
    void aQueuedJobGetsAMachineTaggedWithIt() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.LAUNCHING);
            assertThat(m.jobId()).contains("gitlab:7");
            assertThat(m.market()).isEqualTo(Market.SPOT);
        });
        assertThat(world.ledger.find("gitlab:7").orElseThrow().pool()).contains("docker");
    }

    @Test
    void aRedeliveredQueuedEventLaunchesNothingMoreForAJobAlreadyServed() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).hasSize(1);
    }

    @Test
    void runningMarksTheMachineBusyAndFinishedIdleWithABuildMore() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = world.machines.alive("docker").getFirst().instanceId();

        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.BUSY);

        world.jobEvents().handle(job("7", JobStatus.SUCCEEDED));
        assertThat(world.machines.find(id).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.IDLE);
            assertThat(m.buildsDone()).isEqualTo(1);
            assertThat(m.tookJob()).isTrue();
        });
    }

    @Test
    void aMachineThatRanItsLastBuildIsRetiredNotIdleSoNoJobCountsOnIt() {
        var world = new World(World.POOL + "    maxBuilds: 1\n");
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = world.machines.alive("docker").getFirst().instanceId();
        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        world.jobEvents().handle(job("7", JobStatus.SUCCEEDED));

        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.DRAINING);
        assertThat(world.logged("machine.retired")).hasSize(1);
        world.jobEvents().handle(job("8", JobStatus.QUEUED));
        assertThat(world.machines.alive("docker")).as("the next job gets a machine of its own").hasSize(2);
        world.reaper().run();
        assertThat(world.machines.find(id).orElseThrow().ending().orElseThrow().reason())
                .isEqualTo("MAX_BUILDS_REACHED");
    }

    @Test
    void aPlanWhoseReservationLostARaceIsMadeAgainFromFreshCountersAndLaunchesOnlyWhatIsStillWanted() {
        // Another scale-up reserves and launches for the same pool between this one's read and its reservation.
        var raced = new java.util.concurrent.atomic.AtomicBoolean();
        var store = new io.runnerscaler.core.memory.InMemoryMachineStore() {
            @Override
            public synchronized int reserve(String pool, int wanted, int limit, long version) {
                if (raced.compareAndSet(false, true)) {
                    super.reserve(pool, 1, limit);
                    put(new Machine("i-0other", pool, MachineState.LAUNCHING, Market.SPOT, "m7i.large", 0, World.T0,
                            World.T0, Optional.of("gitlab:8")));
                }
                return super.reserve(pool, wanted, limit, version);
            }
        };
        world.ledger.record(job("8", JobStatus.QUEUED), Optional.of("docker"), World.T0);
        var executor = new PlanExecutor(world.planner, world.fleet, store, new io.runnerscaler.core.runner
                .RunnerRegistrations(java.util.List.of(world.gitlab), io.runnerscaler.core.port.BootstrapSecrets.NONE,
                world.log), world.log, world.metrics);
        new JobEvents(world.config::get, world.ledger, store, world.planner, executor, world.retry, world.clock,
                world.log, world.metrics).handle(job("7", JobStatus.QUEUED));

        assertThat(store.alive("docker")).as("one machine per queued job, not three").hasSize(2);
        assertThat(store.reserved("docker")).isEqualTo(2);
        assertThat(world.metricLines).anyMatch(l -> l.startsWith("ScaleUpReplans"));
        assertThat(world.logged("plan.superseded")).hasSize(1);
    }

    @Test
    void aRunningJobIsPlacedFromTheMachinesItsJobAndRunnerNamePointToWithoutReadingThePool() {
        var reads = new java.util.concurrent.atomic.AtomicInteger();
        var store = new io.runnerscaler.core.memory.InMemoryMachineStore() {
            @Override
            public synchronized java.util.List<Machine> alive(String pool) {
                reads.incrementAndGet();
                return super.alive(pool);
            }

            @Override
            public synchronized java.util.List<Machine> withJob(String pool, String jobKey) {
                return super.alive(pool).stream().filter(m -> m.jobId().filter(jobKey::equals).isPresent()).toList();
            }

            @Override
            public synchronized Optional<Machine> withGitLabSystemId(String pool, String systemId) {
                return super.alive(pool).stream().filter(m -> io.runnerscaler.core.port.MachineRecords.systemIdOf(m)
                        .filter(systemId::equals).isPresent()).findFirst();
            }
        };
        var executor = new PlanExecutor(world.planner, world.fleet, store, new io.runnerscaler.core.runner
                .RunnerRegistrations(java.util.List.of(world.gitlab), io.runnerscaler.core.port.BootstrapSecrets.NONE,
                world.log), world.log, world.metrics);
        var events = new JobEvents(world.config::get, world.ledger, store, world.planner, executor, world.retry,
                world.clock, world.log, world.metrics);
        events.handle(job("7", JobStatus.QUEUED));
        events.handle(job("9", JobStatus.QUEUED));
        String forNine = store.alive("docker").stream().filter(m -> m.jobId().orElse("").equals("gitlab:9"))
                .findFirst().orElseThrow().instanceId();
        reads.set(0);

        events.handle(job("13", JobStatus.QUEUED));
        String forThirteen = store.alive("docker").stream().filter(m -> m.jobId().orElse("").equals("gitlab:13"))
                .findFirst().orElseThrow().instanceId();
        reads.set(0);

        events.handle(job("7", JobStatus.RUNNING));
        events.handle(runningOn("9", forNine));
        // GitLab names the runner manager of the machine launched for job 13 as the one that took job 12.
        events.handle(job("12", JobStatus.RUNNING).withRunner(Optional.of("9171"), Optional.of(
                new RunnerIdentity("docker", forThirteen).gitlabSystemId())));
        events.handle(job("7", JobStatus.SUCCEEDED));
        assertThat(reads.get()).as("the pool's machines read for placing or finishing").isZero();
        assertThat(store.find(forNine).orElseThrow().state()).isEqualTo(MachineState.BUSY);
        assertThat(store.find(forThirteen).orElseThrow().jobId()).contains("gitlab:12");

        events.handle(runningOn("11", "somebody-else"));
        assertThat(reads.get()).as("a job no lookup settles: the pool is read").isEqualTo(1);
    }

    private static JobEvent runningOn(String id, String runnerName) {
        return new JobEvent(Forge.GITLAB, id, "group/app", JobStatus.RUNNING, Set.of(), Optional.of(runnerName),
                "d-" + id + "running", World.T0, Optional.empty(), Optional.empty());
    }

    @Test
    void aMachineLaunchedForAJobKeepsEachStepAndTheJobsTimeToRunnerIsCold() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = world.machines.alive("docker").getFirst().instanceId();
        world.clock.advance(Duration.ofSeconds(20));
        world.instanceEvents().stateChanged(id, "running", Optional.of(World.T0.plusSeconds(17)));
        world.clock.advance(Duration.ofSeconds(13));

        world.jobEvents().handle(job("7", JobStatus.RUNNING));

        Machine.Steps steps = world.machines.find(id).orElseThrow().steps();
        assertThat(steps.path()).isEqualTo(BootPath.COLD);
        assertThat(steps.requested()).isEqualTo(World.T0);
        assertThat(steps.running()).contains(World.T0.plusSeconds(17));
        assertThat(steps.firstJob()).contains(World.T0.plusSeconds(33));
        assertThat(world.metricLines).contains("TimeToRunner {Path=cold, Pool=docker} 33000 ms");
        assertThat(world.logged("machine.busy")).singleElement().asString().contains("path=cold")
                .contains("timeToRunnerMs=33000");
    }

    @Test
    void aJobTakenByAMachineUpBeforeItWasQueuedCameTheIdleWayAndTheFirstJobInstantStaysTheFirst() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = world.machines.alive("docker").getFirst().instanceId();
        world.clock.advance(Duration.ofSeconds(30));
        world.instanceEvents().stateChanged(id, "running");
        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        world.jobEvents().handle(job("7", JobStatus.SUCCEEDED));

        world.clock.advance(Duration.ofSeconds(60));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));
        world.clock.advance(Duration.ofSeconds(2));
        world.jobEvents().handle(job("8", JobStatus.RUNNING));

        assertThat(world.metricLines).filteredOn(l -> l.startsWith("TimeToRunner"))
                .containsExactly("TimeToRunner {Path=cold, Pool=docker} 30000 ms",
                        "TimeToRunner {Path=idle, Pool=docker} 2000 ms");
        assertThat(world.machines.find(id).orElseThrow().steps().firstJob()).contains(World.T0.plusSeconds(30));
    }

    @Test
    void aRedeliveredRunningEventMeasuresTheJobOnce() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.clock.advance(Duration.ofSeconds(40));
        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        world.clock.advance(Duration.ofSeconds(5));
        world.jobEvents().handle(job("7", JobStatus.RUNNING));

        assertThat(world.metricLines).filteredOn(l -> l.startsWith("TimeToRunner"))
                .containsExactly("TimeToRunner {Path=cold, Pool=docker} 40000 ms");
        assertThat(world.machines.alive("docker").getFirst().steps().firstJob()).contains(World.T0.plusSeconds(40));
    }

    @Test
    void aForgeStartTimeBeforeTheMachineWasAskedForIsSkewAndWhenTheEventCameIsUsed() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.clock.advance(Duration.ofSeconds(40));

        world.jobEvents().handle(new JobEvent(Forge.GITLAB, "7", "group/app", JobStatus.RUNNING, Set.of(),
                Optional.empty(), "d-7r", World.T0, Optional.of(World.T0.minusSeconds(600)), Optional.empty()));

        assertThat(world.metricLines).contains("TimeToRunner {Path=cold, Pool=docker} 40000 ms");
        assertThat(world.machines.alive("docker").getFirst().steps().firstJob()).contains(World.T0.plusSeconds(40));
    }

    @Test
    void aLedgerThatCannotBeReadLeavesTheJobUnmeasuredButItsMachineBusy() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        var failing = new World.FailingFinds(world.ledger);

        new JobEvents(world.config::get, failing, world.machines, world.planner, world.executor(), world.retry,
                world.clock, world.log, world.metrics).handle(job("7", JobStatus.RUNNING));

        assertThat(world.machines.alive("docker").getFirst().state()).isEqualTo(MachineState.BUSY);
        assertThat(world.metricLines).noneMatch(l -> l.startsWith("TimeToRunner"));
        assertThat(world.logged("job.time_to_runner_unknown")).singleElement().asString()
                .contains("LEDGER_UNREADABLE").contains("table unreachable");
    }

    @Test
    void aGitLabJobTheLedgerNeverSawQueuedIsNotMeasuredButStillMarksItsMachine() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("9", JobStatus.RUNNING));

        assertThat(world.metricLines).noneMatch(l -> l.startsWith("TimeToRunner"));
        assertThat(world.machines.alive("docker").getFirst().state()).isEqualTo(MachineState.BUSY);
    }

    @Test
    void aGitHubJobIsMeasuredFromItsCreatedAtToItsForgeStartTime() {
        World github = new World("""
                pools:
                  - name: docker
                    forge: github
                    labels: [docker]
                    instanceTypes: [m7i.large]
                    launchTemplate: lt
                    limit: 3
                """);
        github.jobEvents().handle(gitHubJob(JobStatus.QUEUED, Optional.empty()));
        github.clock.advance(Duration.ofSeconds(50));

        github.jobEvents().handle(gitHubJob(JobStatus.RUNNING, Optional.of(World.T0.plusSeconds(45))));

        assertThat(github.metricLines).contains("TimeToRunner {Path=cold, Pool=docker} 41000 ms");
        assertThat(github.machines.alive("docker").getFirst().steps().firstJob()).contains(World.T0.plusSeconds(45));
    }

    /** A {@code workflow_job} GitHub created (queued) 4 s after T0. */
    private static JobEvent gitHubJob(JobStatus status, Optional<java.time.Instant> started) {
        return new JobEvent(Forge.GITHUB, "70", "octo/app", status, Set.of("self-hosted", "docker"), Optional.empty(),
                "d-70" + status, World.T0.plusSeconds(4), started, Optional.empty());
    }

    @Test
    void aJobThatASpotInterruptionFailedIsRetriedAndItsNextMachineBoughtOnDemand() {
        world.retry = (forge, project, jobId) -> new JobRetry.Outcome.Retried(Optional.of("8"));
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        String spot = world.machines.alive("docker").getFirst().instanceId();
        world.instanceEvents().interrupted(spot, InstanceEvents.SPOT_INTERRUPTION);
        world.instanceEvents().stateChanged(spot, "terminated");

        world.jobEvents().handle(job("7", JobStatus.FAILED));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).filteredOn(m -> m.jobId().filter("gitlab:8"::equals).isPresent())
                .singleElement().extracting(Machine::market).isEqualTo(Market.ON_DEMAND);
        assertThat(world.logged("machine.launched")).filteredOn(l -> l.contains("RETRY_ON_DEMAND")).hasSize(1);
        assertThat(world.machines.onDemandGrants("docker")).isZero();
    }

    @Test
    void aPoolBackingOffLaunchesNothingForAQueuedJobAndSaysWhy() {
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(60));
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(40));
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(20));

        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.logged("plan.hold")).singleElement().asString().contains("BOOT_FAILURES");
        world.clock.advance(Duration.ofMinutes(1));
        world.reaper().run();
        assertThat(world.machines.alive("docker")).as("after the backoff the job's machine launches").hasSize(1);
    }

    @Test
    void aJobNoPoolTakesIsRecordedUnmatched() {
        var tagged = new io.runnerscaler.core.model.JobEvent(io.runnerscaler.core.model.Forge.GITLAB, "9", "g/a",
                JobStatus.QUEUED, java.util.Set.of("gpu"), Optional.empty(), "d-9", World.T0, Optional.empty(),
                Optional.empty());
        world.jobEvents().handle(tagged);

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.logged("job.unmatched")).hasSize(1);
    }

    @Test
    void aRunningJobMarksBusyTheMachineWhoseRunnerManagerGitLabNamesNotTheOneLaunchedForIt() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));
        String forSeven = launchedFor("gitlab:7");
        String forEight = launchedFor("gitlab:8");

        // GitLab gave job 7 to the manager of the machine launched for job 8.
        world.jobEvents().handle(job("7", JobStatus.RUNNING).withRunner(Optional.of("9171"),
                Optional.of(new RunnerIdentity("docker", forEight).gitlabSystemId())));

        assertThat(world.machines.find(forEight).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.BUSY);
            assertThat(m.jobId()).contains("gitlab:7");
        });
        assertThat(world.machines.find(forSeven).orElseThrow().state()).isNotEqualTo(MachineState.BUSY);
        assertThat(world.logged("machine.busy")).singleElement().asString().contains("RUNNER_MANAGER");
    }

    /** Job {@code id} runs on the machine launched for it, as GitLab's Jobs API names its manager, created at {@code at}. */
    private io.runnerscaler.core.model.JobEvent runningOnItsManager(String id, String instance, Optional<Instant> at) {
        return job(id, JobStatus.RUNNING).withRunner(Optional.of("9171"),
                Optional.of(new RunnerIdentity("docker", instance).gitlabSystemId()), at);
    }

    @Test
    void theRunnerManagersCreationIsTheMachinesRegistrationKeptOnce() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = launchedFor("gitlab:7");
        Instant created = world.clock.instant().plusSeconds(40);
        world.clock.advance(Duration.ofSeconds(50));

        world.jobEvents().handle(runningOnItsManager("7", id, Optional.of(created)));

        Machine busy = world.machines.find(id).orElseThrow();
        assertThat(busy.state()).isEqualTo(MachineState.BUSY);
        assertThat(busy.steps().registered()).contains(created);
        world.jobEvents().handle(job("7", JobStatus.SUCCEEDED));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));
        world.clock.advance(Duration.ofSeconds(30));
        world.jobEvents().handle(runningOnItsManager("8", id, Optional.of(created.plusSeconds(20))));
        assertThat(world.machines.find(id).orElseThrow().steps().registered()).as("an earlier one is kept")
                .contains(created);
    }

    @Test
    void aManagerWithoutCreationOrCreatedBeforeTheMachineWasAskedForSaysNothingOfItsRegistration() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));
        String forSeven = launchedFor("gitlab:7");
        String forEight = launchedFor("gitlab:8");
        Instant requested = world.machines.find(forSeven).orElseThrow().steps().requested();
        world.clock.advance(Duration.ofMinutes(1));

        world.jobEvents().handle(runningOnItsManager("7", forSeven, Optional.empty()));
        world.jobEvents().handle(runningOnItsManager("8", forEight, Optional.of(requested.minusSeconds(600))));

        assertThat(world.machines.find(forSeven).orElseThrow().steps().registered()).isEmpty();
        assertThat(world.machines.find(forEight).orElseThrow().steps().registered()).isEmpty();
    }

    @Test
    void aJobPlacedWithoutTheManagersWordSetsNoRegistration() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = launchedFor("gitlab:7");
        world.clock.advance(Duration.ofMinutes(1));

        // A manager's creation with no manager GitLab named is dropped with it: nothing says which machine it was.
        world.jobEvents().handle(job("7", JobStatus.RUNNING).withRunner(Optional.of("9171"), Optional.empty(),
                Optional.of(world.clock.instant().minusSeconds(10))));

        assertThat(world.logged("machine.busy")).singleElement().asString().contains("LAUNCHED_FOR_JOB");
        assertThat(world.machines.find(id).orElseThrow().steps().registered()).isEmpty();
    }

    @Test
    void aRunningJobAnotherRunnerTookMarksNoMachineOfOursBusy() {
        world.gitlab = registryOfRunner("9171");
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        world.jobEvents().handle(job("7", JobStatus.RUNNING).withRunner(Optional.of("4242"), Optional.empty()));

        assertThat(world.machines.alive("docker")).noneMatch(m -> m.state() == MachineState.BUSY);
        assertThat(world.logged("job.running_on_unknown_machine")).singleElement().asString()
                .contains("OTHER_RUNNER").contains("runner 4242 took the job");
        assertThat(world.metricLines).contains("JobsOnUnknownMachine {Pool=docker, Reason=OTHER_RUNNER} 1");
    }

    @Test
    void aRunningJobOnAManagerNoneOfOurMachinesIsMarksNothingBusy() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        world.jobEvents().handle(job("7", JobStatus.RUNNING).withRunner(Optional.of("4242"),
                Optional.of("s_0123456789ab")));

        assertThat(world.machines.alive("docker")).noneMatch(m -> m.state() == MachineState.BUSY);
        assertThat(world.logged("job.running_on_unknown_machine")).singleElement().asString()
                .contains("UNKNOWN_MACHINE");
    }

    private String launchedFor(String job) {
        return world.machines.alive("docker").stream().filter(m -> m.jobId().filter(job::equals).isPresent())
                .findFirst().orElseThrow().instanceId();
    }

    /** A GitLab registry that knows the pool's runner id, as one with an API token does. */
    private static RunnerRegistry registryOfRunner(String runnerId) {
        return registry(Optional.of(runnerId), Integer.MAX_VALUE, Duration.ZERO);
    }

    @Test
    void aLaunchIsCutToWhatTheForgesApiBudgetCanRegisterAndTheReaperOnlyHoldsTheRest() {
        world.config.set(new io.runnerscaler.core.config.ConfigLoader().parse(World.POOL.replace("limit: 3",
                "limit: 3\n    idleCount: 3")));
        world.gitlab = registryAllowing(1, Duration.ofSeconds(30));

        world.reaper().run();

        assertThat(world.machines.alive("docker")).hasSize(1);
        assertThat(world.logged("plan.hold")).anySatisfy(l -> assertThat(l).contains("FORGE_RATE_LIMIT")
                .contains("2 of 3 not launched"));
    }

    /** A registry whose forge budget lets {@code granted} machines register now and the rest after {@code wait}. */
    static RunnerRegistry registryAllowing(int granted, Duration wait) {
        return registry(Optional.empty(), granted, wait);
    }

    private static RunnerRegistry registry(Optional<String> runnerId, int granted, Duration wait) {
        return new RunnerRegistry() {
            @Override
            public Forge forge() {
                return Forge.GITLAB;
            }

            @Override
            public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
                return Optional.empty();
            }

            @Override
            public boolean isBusy(PoolConfig pool, String instanceId) {
                return false;
            }

            @Override
            public void deregister(PoolConfig pool, String instanceId) {
            }

            @Override
            public Optional<String> poolRunnerId(PoolConfig pool) {
                return runnerId;
            }

            @Override
            public Allowance registrations(PoolConfig pool, int machines) {
                return new Allowance(Math.min(granted, machines), wait);
            }
        };
    }
}
