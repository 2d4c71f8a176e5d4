package io.runnerscaler.core.model;

/**
 * A job's status, normalised across forges and ordered: a job only ever moves forward
 * (a late {@code pending} after {@code running} changes nothing).
 */
public enum JobStatus {
    /** GitLab {@code created}, GitHub {@code waiting}: exists, but cannot be picked up yet. */
    CREATED,
    /** GitLab {@code pending}, GitHub {@code queued}: wants a runner now. */
    QUEUED,
    /** GitLab {@code running}, GitHub {@code in_progress}. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELED;

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }

    /** Whether moving from this status to {@code next} is a step forward. Finished states are final. */
    public boolean canMoveTo(JobStatus next) {
        if (isFinished()) {
            return false;
        }
        return next.ordinal() > ordinal();
    }
}
