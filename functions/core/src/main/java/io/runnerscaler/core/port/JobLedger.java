package io.runnerscaler.core.port;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Every accepted job and where it is (DynamoDB in production). Writes are idempotent and only move forward. */
public interface JobLedger {

    /** Record the event. Returns whether it moved the job forward. */
    Transition record(JobEvent event, Optional<String> pool, Instant now);

    Optional<Job> find(String jobKey);

    /** Jobs of the pool in the given status. */
    List<Job> inStatus(String pool, JobStatus status);

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

    /** How many jobs of the pool are in the given status; what planning needs, without reading the jobs. */
    default int count(String pool, JobStatus status) {
        return inStatus(pool, status).size();
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

    /** A job as the ledger keeps it. */
    record Job(String jobKey, String forge, String project, String jobId, Set<String> labels, JobStatus status,
               Optional<String> pool, Instant createdAt, Instant updatedAt, boolean interrupted) {
        public Job {
            labels = Set.copyOf(labels);
        }
    }
}
