package io.runnerscaler.core.port;

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
}
