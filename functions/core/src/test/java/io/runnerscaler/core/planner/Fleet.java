package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Optional;

/** Machines for planner tests, placed relative to a fixed instant. */
final class Fleet {

    static final Instant NOW = Instant.parse("2026-03-04T12:00:00Z");

    private Fleet() {
    }

    /** An idle machine launched {@code launchedAgo} seconds ago and idle for {@code idleFor} seconds. */
    static Machine idle(String id, int launchedAgo, int idleFor) {
        return machine(id, MachineState.IDLE, launchedAgo, idleFor, 0, Optional.empty());
    }

    static Machine idleWithBuilds(String id, int builds) {
        return machine(id, MachineState.IDLE, 3600, 10, builds, Optional.empty());
    }

    static Machine busy(String id, int launchedAgo) {
        return machine(id, MachineState.BUSY, launchedAgo, 30, 0, Optional.of("job-" + id));
    }

    static Machine busyWithBuilds(String id, int builds) {
        return machine(id, MachineState.BUSY, 3600, 30, builds, Optional.of("job-" + id));
    }

    static Machine launching(String id, int launchedAgo) {
        return machine(id, MachineState.LAUNCHING, launchedAgo, launchedAgo, 0, Optional.empty());
    }

    static Machine draining(String id, boolean withJob) {
        return machine(id, MachineState.DRAINING, 3600, 10, 1, withJob ? Optional.of("job-" + id) : Optional.empty());
    }

    /** A refill launched {@code launchedAgo} seconds ago, booting to ready. */
    static Machine warming(String id, int launchedAgo) {
        return machine(id, MachineState.WARMING, launchedAgo, launchedAgo, 0, Optional.empty());
    }

    static Machine stopping(String id, int launchedAgo) {
        return machine(id, MachineState.STOPPING, launchedAgo, 10, 0, Optional.empty());
    }

    /** A machine of the stopped pool launched {@code launchedAgo} seconds ago. */
    static Machine stopped(String id, int launchedAgo) {
        return machine(id, MachineState.STOPPED, launchedAgo, Math.max(0, launchedAgo - 120), 0, Optional.empty());
    }

    /** A machine started from the stopped pool {@code startedAgo} seconds ago, launched long before. */
    static Machine started(String id, int startedAgo) {
        return machine(id, MachineState.LAUNCHING, 86_400, startedAgo, 0, Optional.empty());
    }

    static Machine terminated(String id) {
        return machine(id, MachineState.TERMINATED, 3600, 10, 1, Optional.empty());
    }

    private static Machine machine(String id, MachineState state, int launchedAgo, int inStateFor, int builds,
                                   Optional<String> job) {
        return new Machine(id, "docker", state, Market.SPOT, "m7i.large", builds, NOW.minusSeconds(launchedAgo),
                NOW.minusSeconds(inStateFor), job);
    }
}
