package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Machine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The record of each machine: what it is doing, and once it ended, why. */
public interface MachineRecords {

    /**
     * Records a new machine, which starts LAUNCHING, or a live machine's new state. An update of a machine
     * that is not live (it became TERMINATED meanwhile, or was never recorded) changes nothing: ended is final.
     */
    void put(Machine machine);

    /**
     * Marks the machine TERMINATED for {@code reason} (a planner reason's name), keeping whether it ever took a
     * job, and gives back its place in the pool's {@link Capacity}, once: a second call for the same machine (an
     * EC2 event after the reaper already did it) changes nothing.
     *
     * @return whether this call made the change
     */
    boolean markEnded(Machine machine, Instant at, String reason);

    /** {@link #markEnded} without a reason to keep. */
    default boolean markTerminated(Machine machine, Instant at) {
        return markEnded(machine, at, "");
    }

    /**
     * Writes {@code to} only if the machine's record is live and still in {@code from}'s state: how a machine is
     * claimed (a stopped machine started for a job) when two invocations may want it at once.
     *
     * @return whether this call made the change
     */
    boolean transition(Machine from, Machine to);

    Optional<Machine> find(String instanceId);

    /** The pool's machines that are not TERMINATED. */
    List<Machine> alive(String pool);

    /**
     * The pool's live machine whose GitLab runner manager has this system id ({@code RunnerIdentity#gitlabSystemId}),
     * if any; a lookup that does not read the pool.
     */
    default Optional<Machine> withGitLabSystemId(String pool, String systemId) {
        return alive(pool).stream().filter(m -> systemIdOf(m).filter(systemId::equals).isPresent()).findFirst();
    }

    /** The system id a machine's GitLab runner manager registers with; empty for a record with no EC2 instance id. */
    static Optional<String> systemIdOf(Machine m) {
        try {
            return Optional.of(new io.runnerscaler.core.runner.RunnerIdentity(m.pool(), m.instanceId()).gitlabSystemId());
        } catch (IllegalArgumentException notAnInstanceId) {
            return Optional.empty();
        }
    }

    /** The pool's live machines launched for or running the given job; a lookup that does not read the pool. */
    default List<Machine> withJob(String pool, String jobKey) {
        return alive(pool).stream().filter(m -> m.jobId().filter(jobKey::equals).isPresent()).toList();
    }
}
