package io.runnerscaler.core.model;

/** Where a machine is in its life. */
public enum MachineState {
    /** Asked for; booting and registering. */
    LAUNCHING,
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
}
