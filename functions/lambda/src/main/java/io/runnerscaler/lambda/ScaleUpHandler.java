package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.port.DeadLetters;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.usecase.JobEvents;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code scale-up} function: job events from the FIFO queue. Answers with partial batch failures, so
 * only the messages that failed come back (and reach the DLQ after the redrive policy's receives); once one
 * message of a group fails, the rest of that group in the batch is returned too, keeping the job's events
 * in order. A message that is not a job event at all can never succeed: it goes to the DLQ at once, with
 * the reason.
 */
@Named("scale-up")
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
     * @param tags fills in GitLab job tags before matching; a failed lookup fails the message, which comes
     *             back after the visibility timeout and reaches the DLQ if it keeps failing
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
                log.warn("scale_up.message_parked", Map.of("message", message.getMessageId(),
                        "reason", poison.getMessage()));
                deadLetters.park(message.getBody(), group, poison.getMessage());
                continue;
            }
            try {
                jobs.handle(tags.apply(job));
            } catch (RuntimeException e) {
                log.warn("scale_up.message_failed", Map.of("message", message.getMessageId(),
                        "error", e.getClass().getSimpleName(), "detail", String.valueOf(e.getMessage())));
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                if (group != null) {
                    failedGroups.add(group);
                }
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }
}
