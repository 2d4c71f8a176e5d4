package io.runnerscaler.core.memory;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The job ledger in memory: writes only move a job forward, as the DynamoDB ledger's conditional update does. */
public class InMemoryJobLedger implements JobLedger {

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, Integer> retries = new HashMap<>();

    @Override
    public synchronized Transition record(JobEvent e, Optional<String> pool, Instant now) {
        Job current = jobs.get(e.jobKey());
        if (current != null && !current.status().canMoveTo(e.status())) {
            return Transition.STALE;
        }
        Optional<String> poolKept = pool.isPresent() ? pool : current == null ? Optional.empty() : current.pool();
        // The first instant learnt of each step is kept, as the DynamoDB ledger's if_not_exists does.
        Instants learnt = Instants.of(e, now);
        jobs.put(e.jobKey(), new Job(e.jobKey(), e.forge().id(), e.project(), e.jobId(), e.labels(), e.status(),
                poolKept, current == null ? e.createdAt() : current.createdAt(), now,
                current != null && current.interrupted(),
                current == null ? learnt.queued() : current.queuedAt().or(learnt::queued),
                current == null ? learnt.started() : current.startedAt().or(learnt::started),
                current == null ? learnt.finished() : current.finishedAt().or(learnt::finished)));
        return current == null ? Transition.CREATED : Transition.ADVANCED;
    }

    @Override
    public synchronized Optional<Job> find(String jobKey) {
        return Optional.ofNullable(jobs.get(jobKey));
    }

    @Override
    public synchronized List<Job> inStatus(String pool, JobStatus status) {
        return jobs.values().stream().filter(j -> j.status() == status && j.pool().filter(pool::equals).isPresent())
                .toList();
    }

    @Override
    public synchronized List<Job> unmatched(JobStatus status) {
        return jobs.values().stream().filter(j -> j.status() == status && j.pool().isEmpty()).toList();
    }

    @Override
    public synchronized boolean assignPool(String jobKey, String pool, JobStatus status) {
        Job j = jobs.get(jobKey);
        if (j == null || j.status() != status || j.pool().isPresent()) {
            return false;
        }
        jobs.put(jobKey, new Job(j.jobKey(), j.forge(), j.project(), j.jobId(), j.labels(), j.status(),
                Optional.of(pool), j.createdAt(), j.updatedAt(), j.interrupted(), j.queuedAt(), j.startedAt(),
                j.finishedAt()));
        return true;
    }

    @Override
    public synchronized void markInterrupted(String jobKey) {
        Job j = jobs.get(jobKey);
        if (j != null) {
            jobs.put(jobKey, new Job(j.jobKey(), j.forge(), j.project(), j.jobId(), j.labels(), j.status(), j.pool(),
                    j.createdAt(), j.updatedAt(), true, j.queuedAt(), j.startedAt(), j.finishedAt()));
        }
    }

    @Override
    public synchronized boolean claimRetry(String jobKey, int max) {
        if (!jobs.containsKey(jobKey) || retries.getOrDefault(jobKey, 0) >= max) {
            return false;
        }
        retries.merge(jobKey, 1, Integer::sum);
        return true;
    }

    /** Every job, in the order first recorded. */
    public synchronized List<Job> all() {
        return List.copyOf(jobs.values());
    }
}
