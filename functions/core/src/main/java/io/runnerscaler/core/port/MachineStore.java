package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Machine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Machine records and each pool's reserved capacity (DynamoDB in production). Capacity is reserved before
 * launching and given back exactly once per machine, when it becomes TERMINATED, so several scale-up
 * invocations at once never take a pool past its limit.
 */
public interface MachineStore {

    /**
     * Records a new machine, which starts LAUNCHING, or a live machine's new state. An update of a machine
     * that is not live (it became TERMINATED meanwhile, or was never recorded) changes nothing: ended is final.
     */
    void put(Machine machine);

    /**
     * Reserves up to {@code wanted} places in the pool without passing {@code limit}, atomically.
     *
     * @return how many were granted, 0 to {@code wanted}
     */
    int reserve(String pool, int wanted, int limit);

    /** Gives back places reserved for machines that were not launched. */
    void release(String pool, int count);

    /**
     * Marks the machine TERMINATED and gives back its place, once: a second call for the same machine (an EC2
     * event after the reaper already did it) changes nothing.
     *
     * @return whether this call made the change
     */
    boolean markTerminated(Machine machine, Instant at);

    /** Asks that the pool's next launch(es) for waiting jobs buy on demand: a retried job must not meet spot again. */
    void grantOnDemand(String pool, int machines);

    /**
     * Takes up to {@code wanted} on-demand grants, atomically.
     *
     * @return how many were taken
     */
    int takeOnDemand(String pool, int wanted);

    /** Places currently reserved in the pool (machines alive or being launched). */
    int reserved(String pool);

    /**
     * Corrects a reservation count that leaked (a scale-up died between reserving and recording its
     * machines): if nothing reserved or released in the pool since the previous audit — so no launch can be
     * in flight — and the count differs from {@code aliveMachines}, sets it to that.
     *
     * @return the correction applied (reserved after minus before), 0 if none
     */
    int audit(String pool, int aliveMachines);

    Optional<Machine> find(String instanceId);

    /** The pool's machines that are not TERMINATED. */
    List<Machine> alive(String pool);

    /** The pool's machine launched for or running the given job, if any. */
    default Optional<Machine> forJob(String pool, String jobKey) {
        return alive(pool).stream().filter(m -> m.jobId().filter(jobKey::equals).isPresent()).findFirst();
    }
}
