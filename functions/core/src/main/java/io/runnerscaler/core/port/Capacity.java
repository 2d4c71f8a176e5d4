package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Machine;
import java.util.List;
import java.util.Map;

/**
 * Each pool's reserved places. A place is reserved before launching and given back exactly once per machine,
 * when its record ends ({@link MachineRecords#markEnded}), so several scale-up invocations at once never take a
 * pool past its limit.
 */
public interface Capacity {

    /**
     * Reserves up to {@code wanted} places in the pool without passing {@code limit}, atomically.
     *
     * @return how many were granted, 0 to {@code wanted}
     */
    int reserve(String pool, int wanted, int limit);

    /** What {@link #reserve(String, int, int, long)} answers when the pool changed since its counters were read. */
    int CHANGED = -1;

    /**
     * {@link #reserve(String, int, int)}, only if the pool's capacity has not changed since its counters were read
     * at {@code version} ({@link MachineStore.PoolCounters#version()}): a plan made from counters launches only from
     * the counters it was made from, so two scale-ups planning at once never both launch for the same jobs.
     *
     * @return how many were granted, or {@link #CHANGED}: read the counters and plan again
     */
    int reserve(String pool, int wanted, int limit, long version);

    /** Gives back places reserved for machines that were not launched. */
    void release(String pool, int count);

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

    /**
     * Corrects the pool's machine counters (live machines by state, the stopped machines) that drifted from the
     * machines themselves (a record written or deleted by hand, a write lost outside the scaler), if nothing changed
     * in the pool since {@code read} was read, before {@code alive}: the two then describe the same moment.
     *
     * @return each corrected counter (a state's name, or {@code stopped}) with its correction (after minus before)
     */
    Map<String, Integer> auditCounters(String pool, List<Machine> alive, MachineStore.PoolCounters read);
}
