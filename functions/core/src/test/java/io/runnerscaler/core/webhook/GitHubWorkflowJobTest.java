package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitHubWorkflowJobTest {

    private final GitHubWorkflowJob parser = new GitHubWorkflowJob();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "workflow_job-waiting, CREATED",
            "workflow_job-queued, QUEUED",
            "workflow_job-in_progress, RUNNING",
            "workflow_job-completed-success, SUCCEEDED",
            "workflow_job-completed-failure, FAILED",
            "workflow_job-completed-cancelled, CANCELED",
            "workflow_job-completed-skipped, CANCELED"})
    void everyDocumentedActionBecomesItsStatus(String fixture, JobStatus expected) {
        JobEvent e = job(Fixtures.github(fixture));
        assertThat(e.status()).isEqualTo(expected);
        assertThat(e.forge()).isEqualTo(Forge.GITHUB);
        assertThat(e.jobKey()).isEqualTo("github:30433642001");
        assertThat(e.project()).isEqualTo("runner-scaler-demo/app");
        assertThat(e.labels()).containsExactlyInAnyOrder("self-hosted", "linux", "x64", "docker");
        assertThat(e.owner()).contains("runner-scaler-demo");
        assertThat(e.installationId()).contains("56781234");
        assertThat(e.deliveryId()).isEqualTo("delivery-1");
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
    }

    @ParameterizedTest(name = "conclusion {0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "success, SUCCEEDED", "neutral, SUCCEEDED",
            "failure, FAILED", "timed_out, FAILED", "action_required, FAILED", "startup_failure, FAILED",
            "cancelled, CANCELED", "skipped, CANCELED", "stale, CANCELED",
            "null, FAILED", "something_new, FAILED"})
    void completedJobIsFinishedWhateverTheConclusion(String conclusion, JobStatus expected) {
        assertThat(GitHubWorkflowJob.status("completed", conclusion)).contains(expected);
    }

    @Test
    void queuedJobHasNotStartedEvenThoughGitHubFillsStartedAt() {
        JobEvent e = job(Fixtures.github("workflow_job-queued"));
        assertThat(e.startedAt()).isEmpty();
        assertThat(e.runnerName()).isEmpty();
    }

    @Test
    void runningJobNamesItsRunnerAndGivesTheWaitTime() {
        JobEvent e = job(Fixtures.github("workflow_job-in_progress"));
        assertThat(e.runnerName()).contains("i-0abc123def4567890");
        assertThat(e.startedAt()).contains(Instant.parse("2026-11-23T09:01:05Z"));
        // JobEvents.started emits JobWaitMs as startedAt - createdAt.
        assertThat(Duration.between(e.createdAt(), e.startedAt().orElseThrow())).isEqualTo(Duration.ofSeconds(65));
        assertThat(e.finishedAt()).isEmpty();
    }

    @Test
    void completedJobHasItsFinishTime() {
        JobEvent e = job(Fixtures.github("workflow_job-completed-success"));
        assertThat(e.finishedAt()).contains(Instant.parse("2026-11-23T09:11:05Z"));
    }

    @Test
    void payloadWithoutCreatedAtUsesStartedAtAsCreation() {
        JobEvent e = job(json("""
                {"action":"queued","workflow_job":{"id":1,"labels":["self-hosted"],"started_at":"2021-09-13T02:21:13Z"},
                 "repository":{"full_name":"o/r","owner":{"login":"o"}}}"""));
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2021-09-13T02:21:13Z"));
        assertThat(e.owner()).contains("o");
        assertThat(e.installationId()).isEmpty();
    }

    @Test
    void otherEventsAndActionsAreIgnored() {
        assertThat(parser.parse("push", json("{}"), "d")).isInstanceOf(ParsedDelivery.Ignored.class);
        assertThat(parser.parse("workflow_job", json("""
                {"action":"requested","workflow_job":{"id":1,"labels":[]},"repository":{"full_name":"o/r"}}"""), "d"))
                .isInstanceOf(ParsedDelivery.Ignored.class);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"action\": \"queued\", |body is not valid JSON",
            "[1, 2] |body is not a JSON object",
            "|body is not a JSON object",
            "{\"action\":\"queued\"} |workflow_job is missing",
            "{\"action\":\"queued\",\"workflow_job\":\"x\"} |workflow_job is missing or not an object",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":\"1\",\"labels\":[]}} |workflow_job.id",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1.5,\"labels\":[]}} |workflow_job.id",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":0,\"labels\":[]}} |workflow_job.id 0 is not a job id",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":-7,\"labels\":[]}} |workflow_job.id -7 is not a job id",
            "{\"action\":7,\"workflow_job\":{\"id\":1,\"labels\":[]}} |action is missing or not a string",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[]}} |repository.full_name",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[]},\"repository\":{\"full_name\":5}} |repository.full_name",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":\"linux\"},\"repository\":{\"full_name\":\"o/r\"}} |labels is missing or not an array",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[1]},\"repository\":{\"full_name\":\"o/r\"}} |holds a number",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[],\"created_at\":\"yesterday\"},\"repository\":{\"full_name\":\"o/r\"}} |timestamp not understood",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[],\"created_at\":17},\"repository\":{\"full_name\":\"o/r\"}} |created_at is not a string",
            "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"labels\":[]},\"repository\":{\"full_name\":\"o/r\"}} |created_at and started_at are both missing"})
    void malformedBodiesSayWhatIsWrong(String body, String reason) {
        var parsed = parser.parse("workflow_job", json(body == null ? "" : body), "d");
        assertThat(parsed).isInstanceOf(ParsedDelivery.Malformed.class);
        assertThat(((ParsedDelivery.Malformed) parsed).reason()).contains(reason);
    }

    private JobEvent job(byte[] body) {
        var parsed = parser.parse("workflow_job", body, "delivery-1");
        assertThat(parsed).isInstanceOf(ParsedDelivery.Job.class);
        return ((ParsedDelivery.Job) parsed).event();
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unused")
    private static Optional<String> none() {
        return Optional.empty();
    }
}
