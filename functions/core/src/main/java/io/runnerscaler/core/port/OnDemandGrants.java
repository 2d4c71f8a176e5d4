package io.runnerscaler.core.port;

/** Launches for waiting jobs a pool owes on demand: a job retried after a spot interruption must not meet spot again. */
public interface OnDemandGrants {

    /** The pool's next launch(es) for waiting jobs buy {@code machines} on demand. */
    void grantOnDemand(String pool, int machines);

    /**
     * Takes up to {@code wanted} on-demand grants, atomically.
     *
     * @return how many were taken
     */
    int takeOnDemand(String pool, int wanted);

    /** Grants not yet taken. */
    int onDemandGrants(String pool);
}
