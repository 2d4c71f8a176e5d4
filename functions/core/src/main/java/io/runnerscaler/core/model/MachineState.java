package io.runnerscaler.core.model;

/** Where a machine is in its life. */
public enum MachineState {
    /** Asked for (launched, or started from the stopped pool); booting and registering. */
    LAUNCHING,
    /** Launched to refill the stopped pool: boots to ready (image warm, Docker up) and registers nothing. */
    WARMING,
    /** Ready, and asked to stop (StopInstances) to wait in the stopped pool. */
    STOPPING,
    /** Waits stopped in the pool for a job: costs its volume only; takes no job until started. */
    STOPPED,
    /** Registered and waiting for a job. */
    IDLE,
    /** Running a job. */
    BUSY,
    /** Takes no new job: retired (MaxBuilds), interrupted, or being removed. */
    DRAINING,
    /** Ended; its record says why ({@link Machine#ending()}). */
    TERMINATED;

    public boolean isAlive() {
        return this != TERMINATED;
    }

    /** A machine of the stopped pool (being filled, stopping or stopped): never counted idle or busy. */
    public boolean isPooled() {
        return this == WARMING || this == STOPPING || this == STOPPED;
    }

    /** A state a machine's first record may have: the launch writes it whatever the table holds. */
    public boolean isFirst() {
        return this == LAUNCHING || this == WARMING;
    }
}
