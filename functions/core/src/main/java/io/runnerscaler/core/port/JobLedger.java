package io.runnerscaler.core.port;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Every accepted job and where it is (DynamoDB in production). Writes are idempotent and only move forward. */
public interface JobLedger {

    /** Record the event. Returns whether it moved the job forward. */
    Transition record(JobEvent event, Optional<String> pool, Instant now);

    Optional<Job> find(String jobKey);

    /** Jobs of the pool in the given status. */
    List<Job> inStatus(String pool, JobStatus status);

    /** Jobs no pool took, in the given status (a config loaded since may have a pool for them). */
    List<Job> unmatched(JobStatus status);

    /**
     * Gives a job no pool took a pool, if it is still in {@code status} and still has none: it then counts among
     * the pool's jobs in that status.
     *
     * @return whether the job now has that pool
     */
    boolean assignPool(String jobKey, String pool, JobStatus status);

    /** Notes that the machine running the job got a spot interruption warning. */
    void markInterrupted(String jobKey);

    /**
     * Counts one retry of an interrupted job, if fewer than {@code max} were made.
     *
     * @return whether this retry may go ahead
     */
    boolean claimRetry(String jobKey, int max);

    /** Whether the job was running on a machine that got a spot interruption warning. */
    default boolean wasInterrupted(String jobKey) {
        return find(jobKey).map(Job::interrupted).orElse(false);
    }

    /**
     * How many jobs of the pool are {@link #COUNTED counted} in the given status; what planning needs, without
     * reading the jobs (the DynamoDB ledger keeps a counter item per pool in the same transaction as each job).
     */
    default int count(String pool, JobStatus status) {
        return inStatus(pool, status).size();
    }

    /** How many jobs of all the given pools are in the given status (one counter item in DynamoDB). */
    default int countAll(List<String> pools, JobStatus status) {
        return pools.stream().mapToInt(p -> count(p, status)).sum();
    }

    /** The statuses the ledger keeps counters of: those planning reads. */
    Set<JobStatus> COUNTED = Set.of(JobStatus.QUEUED, JobStatus.RUNNING);

    /**
     * Counts the pool's jobs in each {@link #COUNTED} status from the jobs themselves and corrects the pool's
     * counters where they drifted (a job item deleted or expired): reads every such job, so the reaper calls it only
     * when the counters look wrong.
     *
     * @return each corrected status with its correction (after minus before); empty if none drifted
     */
    default Map<JobStatus, Integer> recount(String pool) {
        return Map.of();
    }

    /**
     * Whether the pool's counters cannot be trusted without a {@link #recount}: never counted from the jobs (a
     * stack upgraded from before the counters, whose jobs were recorded without them), or below zero.
     */
    default boolean countersUnproven(String pool) {
        return false;
    }

    /**
     * The pool's queued jobs as its counter has them, and whether that counter is {@link #countersUnproven unproven}:
     * what the reaper asks each pass, one read in DynamoDB.
     */
    default Queued queued(String pool) {
        return new Queued(count(pool, JobStatus.QUEUED), countersUnproven(pool));
    }

    /** A pool's queued-jobs counter as read. */
    record Queued(int jobs, boolean unproven) {
    }

    /** The outcome of recording an event. */
    enum Transition {
        /** First time this job is seen. */
        CREATED,
        /** The job moved forward. */
        ADVANCED,
        /** Same status again, or an older one: nothing changed. */
        STALE
    }

    /**
     * A job as the ledger keeps it.
     *
     * @param queuedAt  when it became pending, as {@link Instants#of} says; empty when the ledger never saw that
     * @param startedAt when a runner started it; empty if it never started (or was first seen finished without it)
     * @param finishedAt when it ended
     */
    record Job(String jobKey, String forge, String project, String jobId, Set<String> labels, JobStatus status,
               Optional<String> pool, Instant createdAt, Instant updatedAt, boolean interrupted,
               Optional<Instant> queuedAt, Optional<Instant> startedAt, Optional<Instant> finishedAt) {
        public Job {
            labels = Set.copyOf(labels);
            java.util.Objects.requireNonNull(queuedAt, "queuedAt");
            java.util.Objects.requireNonNull(startedAt, "startedAt");
            java.util.Objects.requireNonNull(finishedAt, "finishedAt");
        }

        /** A job without its instants. */
        public Job(String jobKey, String forge, String project, String jobId, Set<String> labels, JobStatus status,
                   Optional<String> pool, Instant createdAt, Instant updatedAt, boolean interrupted) {
            this(jobKey, forge, project, jobId, labels, status, pool, createdAt, updatedAt, interrupted,
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * The instants an event tells about its job, which every ledger keeps the first time it learns each (a
     * redelivery or a later event never moves one). They make the ledger a trace of real arrivals and run times
     * ({@code runner-scaler trace ledger}).
     *
     * @param queued   GitHub: the job's {@code created_at}, which GitHub sets when the job is queued; GitLab: when the
     *                 scaler recorded the {@code pending} event, since a Job Hook's {@code build_created_at} is when
     *                 the pipeline created the job, long before a later stage's job is queued
     * @param started  the forge's start time on a running or finished event, else when a running event was recorded
     * @param finished the forge's finish time on a finished event, else when it was recorded
     */
    record Instants(Optional<Instant> queued, Optional<Instant> started, Optional<Instant> finished) {

        public static Instants of(JobEvent event, Instant now) {
            JobStatus status = event.status();
            Optional<Instant> queued = switch (event.forge()) {
                case GITHUB -> status.ordinal() >= JobStatus.QUEUED.ordinal() ? Optional.of(event.createdAt())
                        : Optional.empty();
                case GITLAB -> status == JobStatus.QUEUED ? Optional.of(now) : Optional.empty();
            };
            Optional<Instant> started = status.ordinal() >= JobStatus.RUNNING.ordinal()
                    ? event.startedAt().or(() -> status == JobStatus.RUNNING ? Optional.of(now) : Optional.empty())
                    : Optional.empty();
            Optional<Instant> finished = status.isFinished() ? event.finishedAt().or(() -> Optional.of(now))
                    : Optional.empty();
            return new Instants(queued, started, finished);
        }
    }
}
