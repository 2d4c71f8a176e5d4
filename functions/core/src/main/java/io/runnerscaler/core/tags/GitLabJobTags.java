package io.runnerscaler.core.tags;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.core.port.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Fills in the tags of GitLab job events before pool matching, since the Job Hook carries none, and for a running
 * job the runner manager that runs it. A job's tags never change, so a job is looked up once per warm function and
 * then served from a bounded cache, except when it starts running. It runs in scale-up, not in the webhook: the lookup is a round trip to GitLab that can be slow
 * or rate limited, and scale-up can leave the message on the queue and try again where the webhook
 * would have to fail the delivery.
 *
 * <p>A failed lookup is logged with the reason and the fix, counted as {@code TagLookupFailures} (dimension
 * {@code Reason}) and thrown on; it is never matched with guessed tags. Scale-up leaves a retryable failure
 * (rate limit, 5xx, timeout) on the queue for SQS to redeliver and parks a permanent one (bad token, job
 * not visible) in the DLQ at once.
 */
public final class GitLabJobTags implements UnaryOperator<JobEvent> {

    /** Enough for every job in flight on a large instance; evicts the oldest first. */
    static final int CACHE_SIZE = 10_000;

    private final JobTags api;
    private final EventLog log;
    private final Metrics metrics;
    private final Map<String, Set<String>> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public GitLabJobTags(JobTags api, EventLog log, Metrics metrics) {
        this.api = api;
        this.log = log;
        this.metrics = metrics;
    }

    @Override
    public JobEvent apply(JobEvent event) {
        if (event.forge() != Forge.GITLAB || !event.labels().isEmpty()) {
            return event;
        }
        Set<String> tags = cached(event.jobKey());
        if (event.status() == JobStatus.RUNNING) {
            return running(event, tags);
        }
        if (tags == null) {
            tags = lookUp(event).tags();
            remember(event.jobKey(), tags);
        }
        return event.withLabels(tags);
    }

    /**
     * A running job is looked up again, cached tags or not: only the Jobs API names the runner manager (the machine)
     * that took it, which the Job Hook does not. If that lookup fails where the tags are known, the event goes on
     * with the hook's runner id alone rather than waiting: the machine it marks busy is then the planner's best
     * guess, as without an API token.
     */
    private JobEvent running(JobEvent event, Set<String> cachedTags) {
        JobTags.Job job;
        try {
            job = lookUp(event);
        } catch (JobTags.LookupFailed e) {
            if (cachedTags == null) {
                throw e;
            }
            return event.withLabels(cachedTags);
        }
        remember(event.jobKey(), job.tags());
        return event.withLabels(job.tags()).withRunner(job.runnerId().or(event::runnerId), job.runnerManager(),
                job.runnerManagerCreatedAt());
    }

    private JobTags.Job lookUp(JobEvent event) {
        try {
            return api.job(event.project(), event.jobId());
        } catch (JobTags.LookupFailed e) {
            metrics.count("TagLookupFailures", Map.of("Reason", e.reason().name()));
            var f = new LinkedHashMap<String, Object>();
            f.put("job", event.jobKey());
            f.put("project", event.project());
            f.put("delivery", event.deliveryId());
            f.put("reason", e.reason().name());
            f.put("retryable", e.retryable());
            e.retryAfter().ifPresent(d -> f.put("retryAfterSeconds", d.toSeconds()));
            f.put("detail", e.getMessage());
            log.warn("job.tag_lookup_failed", f);
            throw e;
        }
    }

    private synchronized Set<String> cached(String jobKey) {
        return cache.get(jobKey);
    }

    private synchronized void remember(String jobKey, Set<String> tags) {
        cache.put(jobKey, Set.copyOf(tags));
    }
}
