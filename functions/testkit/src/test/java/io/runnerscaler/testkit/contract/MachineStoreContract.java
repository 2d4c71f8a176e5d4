package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.MachineStore;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every machine store does: records, capacity, on-demand grants and boot history. Run over the in-memory store
 * ({@code InMemoryMachineStoreTest}) and over DynamoDB on the emulator ({@code DynamoMachineStoreIT}).
 */
public abstract class MachineStoreContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    /** A new, empty store. */
    protected abstract MachineStore store();

    @Test
    void reservationsNeverPassTheLimitAndGrantWhatIsLeft() {
        MachineStore store = store();
        assertThat(store.reserve("docker", 2, 3)).isEqualTo(2);
        assertThat(store.reserve("docker", 2, 3)).isEqualTo(1);
        assertThat(store.reserve("docker", 1, 3)).isZero();
        assertThat(store.reserved("docker")).isEqualTo(3);
        store.release("docker", 2);
        assertThat(store.reserve("docker", 5, 3)).isEqualTo(2);
        assertThat(store.reserved("other")).isZero();
    }

    @Test
    void endingAMachineGivesItsPlaceBackExactlyOnceAndKeepsWhy() {
        MachineStore store = store();
        store.reserve("docker", 2, 2);
        Machine m = machine("i-0aaa", MachineState.IDLE);
        record(store, m);

        assertThat(store.markEnded(m, T0.plusSeconds(60), "IDLE_TIME_EXCEEDED")).isTrue();
        assertThat(store.markEnded(m, T0.plusSeconds(61), "INSTANCE_ENDED")).isFalse();

        assertThat(store.reserved("docker")).isEqualTo(1);
        assertThat(store.alive("docker")).isEmpty();
        assertThat(store.find("i-0aaa")).get().satisfies(ended -> {
            assertThat(ended.state()).isEqualTo(MachineState.TERMINATED);
            assertThat(ended.stateSince()).isEqualTo(T0.plusSeconds(60));
            assertThat(ended.ending()).contains(new Machine.Ending("IDLE_TIME_EXCEEDED", false));
        });
    }

    @Test
    void anEndedMachineRemembersItTookAJob() {
        MachineStore store = store();
        store.reserve("docker", 1, 1);
        Machine busy = machine("i-0bbb", MachineState.BUSY).withState(MachineState.BUSY, T0, Optional.of("gitlab:7"));
        record(store, busy);

        store.markEnded(busy, T0.plusSeconds(5), "INSTANCE_ENDED");

        assertThat(store.find("i-0bbb").orElseThrow().ending()).contains(new Machine.Ending("INSTANCE_ENDED", true));
        assertThat(store.find("i-0bbb").orElseThrow().tookJob()).isTrue();
    }

    @Test
    void aLateStateUpdateOfAnEndedMachineDoesNotBringItBack() {
        MachineStore store = store();
        store.reserve("docker", 1, 1);
        Machine m = machine("i-0aaa", MachineState.IDLE);
        record(store, m);
        store.markTerminated(m, T0.plusSeconds(60));

        store.put(m.withState(MachineState.BUSY, T0.plusSeconds(61), Optional.of("gitlab:1:2")));

        assertThat(store.alive("docker")).isEmpty();
        assertThat(store.find("i-0aaa")).get().extracting(Machine::state).isEqualTo(MachineState.TERMINATED);
        assertThat(store.markTerminated(m, T0.plusSeconds(62))).as("its place was given back once").isFalse();
        assertThat(store.reserved("docker")).isZero();
    }

    @Test
    void aStateUpdateOfAMachineNeverRecordedChangesNothing() {
        MachineStore store = store();
        store.put(machine("i-0eee", MachineState.IDLE));
        assertThat(store.find("i-0eee")).isEmpty();
        assertThat(store.alive("docker")).isEmpty();
        assertThat(store.markEnded(machine("i-0eee", MachineState.IDLE), T0, "INSTANCE_GONE")).isFalse();
    }

    @Test
    void aliveListsOnlyThePoolsLiveMachines() {
        MachineStore store = store();
        store.reserve("docker", 2, 5);
        record(store, machine("i-0aaa", MachineState.BUSY));
        store.put(machine("i-0bbb", MachineState.LAUNCHING));
        record(store, new Machine("i-0ccc", "other", MachineState.IDLE, Market.SPOT, "m5.large", 0, T0, T0,
                Optional.empty()));

        assertThat(store.alive("docker")).extracting(Machine::instanceId).containsExactlyInAnyOrder("i-0aaa", "i-0bbb");
        assertThat(store.find("i-0ccc")).get().extracting(Machine::pool).isEqualTo("other");
        assertThat(store.find("i-0zzz")).isEmpty();
        assertThat(store.withJob("docker", "gitlab:none")).isEmpty();
    }

    @Test
    void machinesRoundTripEveryField() {
        MachineStore store = store();
        Machine m = new Machine("i-0ddd", "docker", MachineState.BUSY, Market.SPOT, "c7i.large", 3, T0,
                T0.plusSeconds(90), Optional.of("github:99"));
        record(store, m);
        assertThat(store.find("i-0ddd")).contains(m);
        assertThat(store.withJob("docker", "github:99")).containsExactly(m);
        assertThat(store.withJob("other", "github:99")).as("another pool's").isEmpty();
    }

    @Test
    void aMachinesBootStepsAreKeptThroughItsStatesAndItsEnd() {
        MachineStore store = store();
        store.reserve("docker", 1, 1);
        Machine launched = new Machine("i-0eee", "docker", MachineState.LAUNCHING, Market.SPOT, "c7i.large", 0, T0, T0,
                Optional.of("gitlab:5"));
        store.put(launched);
        store.put(launched.running(T0.plusSeconds(17)));
        store.put(store.find("i-0eee").orElseThrow().registered(T0.plusSeconds(31)));
        store.put(store.find("i-0eee").orElseThrow().startedJob("gitlab:5", T0.plusSeconds(33), T0.plusSeconds(34)));

        Machine busy = store.find("i-0eee").orElseThrow();
        assertThat(busy.steps()).isEqualTo(new Machine.Steps(BootPath.COLD, T0, Optional.of(T0.plusSeconds(17)),
                Optional.of(T0.plusSeconds(31)), Optional.of(T0.plusSeconds(33))));
        assertThat(busy.state()).isEqualTo(MachineState.BUSY);
        assertThat(store.alive("docker")).singleElement().isEqualTo(busy);

        store.markEnded(busy, T0.plusSeconds(600), "INSTANCE_ENDED");
        assertThat(store.find("i-0eee").orElseThrow().steps()).isEqualTo(busy.steps());
    }

    @Test
    void aStartedMachineKeepsItsStoppedPathAndWhenItsStartWasAsked() {
        MachineStore store = store();
        Machine started = new Machine("i-0fff", "docker", MachineState.LAUNCHING, Market.ON_DEMAND, "c7i.large", 0,
                T0, T0.plusSeconds(3600), Optional.empty(), Optional.empty(),
                Machine.Steps.requested(BootPath.STOPPED, T0.plusSeconds(3600)));
        store.put(started);

        assertThat(store.find("i-0fff").orElseThrow().steps())
                .isEqualTo(Machine.Steps.requested(BootPath.STOPPED, T0.plusSeconds(3600)));
    }

    @Test
    void onDemandGrantsAreTakenAtMostOnce() {
        MachineStore store = store();
        store.grantOnDemand("docker", 2);
        assertThat(store.onDemandGrants("docker")).isEqualTo(2);
        assertThat(store.takeOnDemand("docker", 3)).isEqualTo(2);
        assertThat(store.takeOnDemand("docker", 1)).isZero();
        assertThat(store.onDemandGrants("docker")).isZero();
        assertThat(store.onDemandGrants("other")).isZero();
    }

    @Test
    void bootFailuresAccumulateInOrderUntilReset() {
        MachineStore store = store();
        store.recordBootFailure("docker", T0);
        store.recordBootFailure("docker", T0.plusSeconds(30));
        store.grantOnDemand("docker", 1);

        assertThat(store.bootFailures("docker")).containsExactly(T0, T0.plusSeconds(30));
        assertThat(store.counters("docker").onDemandGrants()).isEqualTo(1);
        assertThat(store.counters("docker").bootFailures()).containsExactly(T0, T0.plusSeconds(30));
        assertThat(store.bootFailures("other")).isEmpty();

        store.resetBootFailures("docker");
        assertThat(store.bootFailures("docker")).isEmpty();
        assertThat(store.counters("docker").onDemandGrants()).as("a reset leaves the grants").isEqualTo(1);
    }

    @Test
    void aLeakedReservationIsCorrectedOnlyAfterAQuietAuditPeriod() {
        MachineStore store = store();
        store.reserve("docker", 3, 5);
        assertThat(store.audit("docker", 1)).as("first audit only remembers what it saw").isZero();
        assertThat(store.audit("docker", 1)).as("nothing happened since: correct it").isEqualTo(-2);
        assertThat(store.reserved("docker")).isEqualTo(1);
        store.reserve("docker", 1, 5);
        assertThat(store.audit("docker", 1)).as("a launch may be in flight").isZero();
        assertThat(store.reserved("docker")).isEqualTo(2);
    }

    @Test
    void theCountersFollowEveryStateChangeAndEnd() {
        MachineStore store = store();
        store.reserve("docker", 4, 10);
        Machine a = machine("i-0a01", MachineState.LAUNCHING);
        Machine b = machine("i-0a02", MachineState.LAUNCHING);
        store.put(a);
        store.put(b);
        store.put(a.running(T0.plusSeconds(20)));
        store.put(b.startedJob("gitlab:1", T0.plusSeconds(30), T0.plusSeconds(30)));
        Machine warming = new Machine("i-0a03", "docker", MachineState.WARMING, Market.ON_DEMAND, "m6i.large", 0,
                T0.plusSeconds(5), T0.plusSeconds(5), Optional.empty());
        store.put(warming);
        store.put(warming.withState(MachineState.STOPPING, T0.plusSeconds(60), Optional.empty()));
        store.put(warming.withState(MachineState.STOPPED, T0.plusSeconds(70), Optional.empty()));

        MachineStore.PoolCounters counters = store.counters("docker");
        assertThat(counters.machines()).containsOnly(java.util.Map.entry(MachineState.IDLE, 1),
                java.util.Map.entry(MachineState.BUSY, 1), java.util.Map.entry(MachineState.STOPPED, 1));
        assertThat(counters.stopped()).containsExactly("i-0a03");
        assertThat(counters.reserved()).isEqualTo(4);
        assertThat(counters.machineCounts().inFlight()).as("4 places, 3 machines recorded").isEqualTo(1);

        store.markEnded(store.find("i-0a01").orElseThrow(), T0.plusSeconds(90), "IDLE_TIME_EXCEEDED");
        store.markEnded(store.find("i-0a03").orElseThrow(), T0.plusSeconds(91), "STOPPED_MAX_AGE");
        MachineStore.PoolCounters after = store.counters("docker");
        assertThat(after.machines()).containsOnly(java.util.Map.entry(MachineState.BUSY, 1));
        assertThat(after.stopped()).isEmpty();
        assertThat(after.reserved()).isEqualTo(2);
        assertThat(store.counters("other").machines()).isEmpty();
    }

    @Test
    void stoppedMachinesAreListedOldestLaunchFirst() {
        MachineStore store = store();
        store.reserve("docker", 3, 3);
        for (String id : java.util.List.of("i-0b03", "i-0b01", "i-0b02")) {
            Instant launched = T0.plusSeconds(Long.parseLong(id.substring(5)) * 100);
            Machine m = new Machine(id, "docker", MachineState.WARMING, Market.SPOT, "m6i.large", 0, launched, launched,
                    Optional.empty());
            store.put(m);
            store.put(m.withState(MachineState.STOPPED, launched.plusSeconds(60), Optional.empty()));
        }
        assertThat(store.counters("docker").stopped()).containsExactly("i-0b01", "i-0b02", "i-0b03");
        assertThat(store.counters("docker").machineCounts().of(MachineState.STOPPED)).isEqualTo(3);
    }

    @Test
    void aReservationAtAVersionIsRefusedOnceThePoolChanged() {
        MachineStore store = store();
        long read = store.counters("docker").version();
        assertThat(store.reserve("docker", 2, 3, read)).isEqualTo(2);
        assertThat(store.reserve("docker", 1, 3, read)).as("another reservation moved the pool on")
                .isEqualTo(MachineStore.CHANGED);
        long now = store.counters("docker").version();
        assertThat(now).isNotEqualTo(read);
        assertThat(store.reserve("docker", 5, 3, now)).as("what the limit leaves").isEqualTo(1);
        assertThat(store.reserved("docker")).isEqualTo(3);
        long full = store.counters("docker").version();
        assertThat(store.reserve("docker", 1, 3, full)).as("at the limit, unchanged").isZero();
    }

    @Test
    void aTransitionIsMadeOnlyFromTheStateItExpects() {
        MachineStore store = store();
        store.reserve("docker", 1, 1);
        Machine warming = new Machine("i-0c01", "docker", MachineState.WARMING, Market.ON_DEMAND, "m6i.large", 0, T0,
                T0, Optional.empty());
        store.put(warming);
        Machine stopped = warming.withState(MachineState.STOPPED, T0.plusSeconds(60), Optional.empty());
        store.put(stopped);
        Machine started = stopped.startedFromPool(T0.plusSeconds(600), Optional.of("gitlab:9"));

        assertThat(store.transition(stopped, started)).isTrue();
        assertThat(store.transition(stopped, started.startedFromPool(T0.plusSeconds(601), Optional.of("gitlab:10"))))
                .as("a second claim of the same stopped machine").isFalse();
        assertThat(store.find("i-0c01").orElseThrow().jobId()).contains("gitlab:9");
        assertThat(store.counters("docker").machines()).containsOnly(java.util.Map.entry(MachineState.LAUNCHING, 1));
        assertThat(store.counters("docker").stopped()).isEmpty();
        assertThat(store.transition(machine("i-0c99", MachineState.STOPPED), started)).as("never recorded").isFalse();
    }

    @Test
    void aLiveMachineIsFoundByItsGitLabSystemIdAndNoLongerOnceItEnded() {
        MachineStore store = store();
        store.reserve("docker", 2, 2);
        Machine a = machine("i-0123456789abcdef0", MachineState.LAUNCHING);
        Machine b = machine("i-0fedcba9876543210", MachineState.LAUNCHING);
        store.put(a);
        store.put(b);
        store.put(a.running(T0.plusSeconds(20)));
        String systemId = new io.runnerscaler.core.runner.RunnerIdentity("docker", a.instanceId()).gitlabSystemId();

        assertThat(store.withGitLabSystemId("docker", systemId)).get().extracting(Machine::state)
                .isEqualTo(MachineState.IDLE);
        assertThat(store.withGitLabSystemId("other", systemId)).as("another pool's").isEmpty();
        assertThat(store.withGitLabSystemId("docker", "s_000000000000")).isEmpty();
        assertThat(store.find(a.instanceId())).get().extracting(Machine::state).isEqualTo(MachineState.IDLE);

        store.markEnded(store.find(a.instanceId()).orElseThrow(), T0.plusSeconds(60), "IDLE_TIME_EXCEEDED");
        assertThat(store.withGitLabSystemId("docker", systemId)).isEmpty();
        assertThat(store.alive("docker")).extracting(Machine::instanceId).containsExactly(b.instanceId());
    }

    protected static Machine machine(String id, MachineState state) {
        return new Machine(id, "docker", state, Market.ON_DEMAND, "m6i.large", 0, T0, T0, Optional.empty());
    }

    /** Records the machine the way production does: LAUNCHING first, then its state. */
    protected static void record(MachineStore store, Machine m) {
        store.put(m.withState(MachineState.LAUNCHING, m.launchedAt(), Optional.empty()));
        store.put(m);
    }
}
