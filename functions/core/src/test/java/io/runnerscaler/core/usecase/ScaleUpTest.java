package io.runnerscaler.core.usecase;

import static io.runnerscaler.core.usecase.World.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobTags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The scale-up use case over the in-memory adapters: each message done, parked or retried after a short delay. */
class ScaleUpTest {

    private final World world = new World();
    private final List<String> parked = new ArrayList<>();
    private final List<String> redelivered = new ArrayList<>();
    private final JobEventCodec codec = new JobEventCodec();

    private ScaleUp scaleUp(UnaryOperator<JobEvent> tags) {
        return new ScaleUp(world.jobEvents(), tags, (body, group, reason) -> parked.add(group + ": " + reason),
                (receipt, after) -> redelivered.add(receipt + " " + after.toSeconds()), world.log);
    }

    private ScaleUp.Message message(String id, JobEvent event, int receive) {
        return new ScaleUp.Message(id, "r-" + id, codec.encode(event), Optional.of(event.jobKey()), receive);
    }

    private static UnaryOperator<JobEvent> failing(JobTags.Reason reason, Optional<Duration> retryAfter) {
        return job -> {
            throw new JobTags.LookupFailed(reason, "GET /api/v4/projects/g%2Fa/jobs/" + job.jobId() + " failed",
                    retryAfter);
        };
    }

    @Test
    void aJobEventIsDoneAndItsMachineLaunched() {
        var outcomes = scaleUp(UnaryOperator.identity()).handle(List.of(message("m-1", job("7", JobStatus.QUEUED), 1)));

        assertThat(outcomes).containsExactly(new ScaleUp.Outcome.Done("m-1"));
        assertThat(world.machines.alive("docker")).hasSize(1);
    }

    @Test
    void aMessageThatIsNoJobEventIsParkedAtOnce() {
        var outcomes = scaleUp(UnaryOperator.identity()).handle(List.of(new ScaleUp.Message("m-1", "r-1", "{}",
                Optional.of("g"), 1)));

        assertThat(outcomes.getFirst()).isInstanceOf(ScaleUp.Outcome.Parked.class);
        assertThat(parked).hasSize(1);
        assertThat(redelivered).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobTags.Reason.class, names = {"UNAUTHORIZED", "NOT_FOUND", "UNEXPECTED_ANSWER"})
    void aPermanentTagLookupFailureIsParkedWithItsReason(JobTags.Reason reason) {
        var outcomes = scaleUp(failing(reason, Optional.empty())).handle(List.of(message("m-1",
                job("7", JobStatus.QUEUED), 1)));

        assertThat(outcomes).containsExactly(new ScaleUp.Outcome.Parked("m-1", "GitLab job tags unavailable (" + reason
                + "): GET /api/v4/projects/g%2Fa/jobs/7 failed; fix it, then run runner-scaler dlq redrive"));
        assertThat(parked).containsExactly("gitlab:7: " + ((ScaleUp.Outcome.Parked) outcomes.getFirst()).reason());
        assertThat(world.logged("scale_up.message_parked")).hasSize(1);
    }

    @ParameterizedTest(name = "receive {0} waits {1} s")
    @CsvSource({"1, 10", "2, 20", "3, 40", "5, 160", "6, 300", "10, 300"})
    void aRetryableFailureComesBackAfterABackoffThatDoublesPerReceive(int receive, int seconds) {
        var outcomes = scaleUp(failing(JobTags.Reason.UNAVAILABLE, Optional.empty())).handle(List.of(message("m-1",
                job("7", JobStatus.QUEUED), receive)));

        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ScaleUp.Outcome.Retry.class,
                r -> assertThat(r.after()).isEqualTo(Duration.ofSeconds(seconds)));
        assertThat(redelivered).containsExactly("r-m-1 " + seconds);
        assertThat(parked).isEmpty();
    }

    @Test
    void theForgesRetryAfterIsHonoured() {
        var outcomes = scaleUp(failing(JobTags.Reason.RATE_LIMITED, Optional.of(Duration.ofSeconds(42))))
                .handle(List.of(message("m-1", job("7", JobStatus.QUEUED), 1)));

        assertThat(((ScaleUp.Outcome.Retry) outcomes.getFirst()).after()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void aJobTheForgesApiBudgetCannotRegisterAMachineForComesBackWhenTheBudgetHasRoom() {
        world.gitlab = JobEventsTest.registryAllowing(0, Duration.ofSeconds(40));

        var outcomes = scaleUp(UnaryOperator.identity()).handle(List.of(message("m-1", job("7", JobStatus.QUEUED), 1)));

        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ScaleUp.Outcome.Retry.class,
                r -> assertThat(r.after()).isEqualTo(Duration.ofSeconds(40)));
        assertThat(redelivered).containsExactly("r-m-1 40");
        assertThat(world.machines.alive("docker")).as("nothing launched that could not register").isEmpty();
        assertThat(world.logged("plan.hold")).anySatisfy(l -> assertThat(l).contains("FORGE_RATE_LIMIT"));
    }

    @Test
    void theRestOfAFailedGroupComesBackWithItAndOtherGroupsGoOn() {
        UnaryOperator<JobEvent> failsFor7 = job -> {
            if (job.jobId().equals("7")) {
                throw new JobTags.LookupFailed(JobTags.Reason.UNAVAILABLE, "503", Optional.empty());
            }
            return job;
        };
        var outcomes = scaleUp(failsFor7).handle(List.of(message("m-1", job("7", JobStatus.QUEUED), 2),
                message("m-2", job("8", JobStatus.QUEUED), 1), message("m-3", job("7", JobStatus.RUNNING), 1)));

        assertThat(outcomes.get(0)).isInstanceOf(ScaleUp.Outcome.Retry.class);
        assertThat(outcomes.get(1)).isEqualTo(new ScaleUp.Outcome.Done("m-2"));
        assertThat(outcomes.get(2)).isInstanceOfSatisfying(ScaleUp.Outcome.Retry.class, r -> {
            assertThat(r.after()).isEqualTo(Duration.ofSeconds(20));
            assertThat(r.reason()).contains("m-1");
        });
        assertThat(redelivered).containsExactly("r-m-1 20", "r-m-3 20");
    }

    @Test
    void anyOtherFailureIsRetriedAndAQueueThatCannotBeToldLeavesItToTheVisibilityTimeout() {
        var scaleUp = new ScaleUp(world.jobEvents(), job -> {
            throw new IllegalStateException("table throttled");
        }, (body, group, reason) -> parked.add(reason), (receipt, after) -> {
            throw new IllegalStateException("SQS unreachable");
        }, world.log);

        var outcomes = scaleUp.handle(List.of(message("m-1", job("7", JobStatus.QUEUED), 1)));

        assertThat(outcomes.getFirst()).isInstanceOf(ScaleUp.Outcome.Retry.class);
        assertThat(world.logged("scale_up.redelivery_unchanged")).hasSize(1);
    }

    @Test
    void backoffIsCappedAtFiveMinutes() {
        assertThat(ScaleUp.backoff(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(ScaleUp.backoff(40)).isEqualTo(ScaleUp.LONGEST_RETRY);
        assertThat(ScaleUp.backoff(Duration.ofSeconds(1), 3)).isEqualTo(Duration.ofSeconds(4));
    }
}
