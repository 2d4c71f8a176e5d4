package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.DeadLetters;
import io.runnerscaler.core.port.JobTags;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What scale-up does with a message whose GitLab tag lookup failed: park it or leave it to SQS, by the failure's type. */
class ScaleUpHandlerTest {

    private record Parked(String body, String group, String reason) {
    }

    private final List<Parked> parked = new ArrayList<>();
    private final DeadLetters deadLetters = (body, group, reason) -> parked.add(new Parked(body, group, reason));
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final String body = new JobEventCodec().encode(new JobEvent(Forge.GITLAB, "1977", "gitlab-org/gitlab-test",
            JobStatus.QUEUED, Set.of(), Optional.empty(), "d-1", Instant.parse("2026-11-23T09:00:00Z"),
            Optional.empty(), Optional.empty()));

    @ParameterizedTest
    @EnumSource(value = JobTags.Reason.class, names = {"UNAUTHORIZED", "NOT_FOUND", "UNEXPECTED_ANSWER"})
    void permanentLookupFailureParksTheMessageAtOnceWithItsReason(JobTags.Reason reason) {
        SQSBatchResponse response = handle(reason);

        assertThat(response.getBatchItemFailures()).as("not returned to the queue").isEmpty();
        assertThat(parked).containsExactly(new Parked(body, "gitlab:1977", "GitLab job tags unavailable (" + reason
                + "): GET /api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977 failed; fix it, then run "
                + "runner-scaler dlq redrive"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"event\":\"scale_up.message_parked\"")
                .contains("\"message\":\"m-1\"");
    }

    @ParameterizedTest
    @EnumSource(value = JobTags.Reason.class, names = {"RATE_LIMITED", "UNAVAILABLE"})
    void retryableLookupFailureLeavesTheMessageForSqsToRedeliver(JobTags.Reason reason) {
        SQSBatchResponse response = handle(reason);

        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("m-1");
        assertThat(parked).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"event\":\"scale_up.message_failed\"");
    }

    private SQSBatchResponse handle(JobTags.Reason reason) {
        UnaryOperator<JobEvent> failingLookup = job -> {
            throw new JobTags.LookupFailed(reason, "GET /api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977 failed",
                    Optional.empty());
        };
        // The lookup fails before the use case is reached, so there is none.
        var handler = new ScaleUpHandler(null, deadLetters, failingLookup,
                new JsonLinesLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.fixed(Instant.EPOCH,
                        ZoneOffset.UTC)));
        var message = new SQSEvent.SQSMessage();
        message.setMessageId("m-1");
        message.setBody(body);
        message.setAttributes(Map.of("MessageGroupId", "gitlab:1977"));
        var event = new SQSEvent();
        event.setRecords(List.of(message));
        return handler.handleRequest(event, null);
    }
}
