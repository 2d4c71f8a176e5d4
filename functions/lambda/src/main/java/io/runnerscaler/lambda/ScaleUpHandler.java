package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.port.DeadLetters;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.core.usecase.JobEvents;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code scale-up} function: job events from the FIFO queue. Answers with partial batch failures, so
 * only the messages that failed come back (and reach the DLQ after the redrive policy's receives); once one
 * message of a group fails, the rest of that group in the batch is returned too, keeping the job's events
 * in order. A message that can never succeed goes to the DLQ at once, with the reason: one that is not a
 * job event at all, and a GitLab job whose tags GitLab refuses to tell (see {@link #handleRequest}).
 */
@Named("scale-up")
@Singleton
public class ScaleUpHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final JobEvents jobs;
    private final DeadLetters deadLetters;
    private final UnaryOperator<JobEvent> tags;
    private final EventLog log;
    private final JobEventCodec codec = new JobEventCodec();

    @Inject
    public ScaleUpHandler(App app) {
        this(app.jobEvents(), app.deadLetters(), app.jobTags(), app.log());
    }

    public ScaleUpHandler(JobEvents jobs, DeadLetters deadLetters, EventLog log) {
        this(jobs, deadLetters, UnaryOperator.identity(), log);
    }

    /**
     * @param tags fills in GitLab job tags before matching; a lookup that may succeed later fails the
     *             message, which comes back after the visibility timeout and reaches the DLQ if it keeps
     *             failing; one that cannot (bad token, job not visible) parks it at once
     */
    public ScaleUpHandler(JobEvents jobs, DeadLetters deadLetters, UnaryOperator<JobEvent> tags, EventLog log) {
        this.jobs = jobs;
        this.deadLetters = deadLetters;
        this.tags = tags;
        this.log = log;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<String> failedGroups = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            String group = message.getAttributes() == null ? null : message.getAttributes().get("MessageGroupId");
            if (group != null && failedGroups.contains(group)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                continue;
            }
            JobEvent job;
            try {
                job = codec.decode(message.getBody());
            } catch (IllegalArgumentException poison) {
                park(message, group, poison.getMessage());
                continue;
            }
            try {
                jobs.handle(tags.apply(job));
            } catch (JobTags.LookupFailed lookup) {
                if (lookup.retryable()) {
                    fail(message, group, lookup, failures, failedGroups);
                } else {
                    // A token GitLab rejects (401, 403) or a job it will not show (404) gets the same answer
                    // on every receive until an operator acts: retrying only delays the other jobs and ends
                    // in the DLQ anyway. Matching the job as untagged instead would launch on a run-untagged
                    // pool, whose runner GitLab never gives a tagged job, while the job keeps waiting. Parked
                    // with the reason, the job is back in line after the fix with `runner-scaler dlq redrive`.
                    park(message, group, "GitLab job tags unavailable (" + lookup.reason() + "): "
                            + lookup.getMessage() + "; fix it, then run runner-scaler dlq redrive");
                }
            } catch (RuntimeException e) {
                fail(message, group, e, failures, failedGroups);
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** Returns the message to the queue (and, with it, the rest of its group in this batch). */
    private void fail(SQSEvent.SQSMessage message, String group, RuntimeException e,
                      List<SQSBatchResponse.BatchItemFailure> failures, List<String> failedGroups) {
        log.warn("scale_up.message_failed", Map.of("message", message.getMessageId(),
                "error", e.getClass().getSimpleName(), "detail", String.valueOf(e.getMessage())));
        failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
        if (group != null) {
            failedGroups.add(group);
        }
    }

    private void park(SQSEvent.SQSMessage message, String group, String reason) {
        log.warn("scale_up.message_parked", Map.of("message", message.getMessageId(), "reason", reason));
        deadLetters.park(message.getBody(), group, reason);
    }
}
