package io.runnerscaler.core.matching;

/** Why a job matched no pool. Logged and counted as a metric dimension. */
public enum UnmatchedReason {
    /** No pool is configured for the job's forge. */
    NO_POOL_FOR_FORGE,
    /** A GitLab job without tags, and no pool has {@code runUntagged}. */
    UNTAGGED_NOT_ACCEPTED,
    /** A GitHub job with an empty {@code runs-on}. */
    NO_LABELS,
    /** Some of the job's tags or labels are in no pool of its forge (e.g. {@code ubuntu-latest}). */
    LABELS_NOT_COVERED
}
