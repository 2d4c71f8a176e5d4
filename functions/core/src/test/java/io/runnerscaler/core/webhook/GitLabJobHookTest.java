package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GitLabJobHookTest {

    private final GitLabJobHook parser = new GitLabJobHook();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"job-created, CREATED", "job-pending, QUEUED", "job-running, RUNNING", "job-success, SUCCEEDED",
            "job-failed, FAILED", "job-canceled, CANCELED"})
    void everyBuildStatusBecomesItsStatus(String fixture, JobStatus expected) {
        JobEvent e = job(Fixtures.gitlab(fixture));
        assertThat(e.status()).isEqualTo(expected);
        assertThat(e.forge()).isEqualTo(Forge.GITLAB);
        assertThat(e.jobKey()).isEqualTo("gitlab:1977");
        assertThat(e.project()).isEqualTo("gitlab-org/gitlab-test");
        assertThat(e.labels()).as("the Job Hook carries no tags").isEmpty();
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
    }

    @Test
    void runningJobNamesItsRunnerAndStartTime() {
        JobEvent e = job(Fixtures.gitlab("job-running"));
        assertThat(e.runnerName()).contains("runner-scaler docker pool");
        assertThat(e.startedAt()).contains(Instant.parse("2026-11-23T09:01:10Z"));
        assertThat(e.runnerId()).as("the hook's runner.id").contains("9171");
        assertThat(e.runnerManager()).as("the hook never names the runner manager").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Job Hook"})
    void projectGroupAndInstanceHooksSendTheSameEventHeader(String header) {
        // Project, group and instance hooks deliver the same Job Hook payload under the same header.
        assertThat(parser.parse(Optional.of(header), Fixtures.gitlab("job-pending"), "d"))
                .isInstanceOf(ParsedDelivery.Job.class);
    }

    @Test
    void missingEventHeaderFallsBackToObjectKind() {
        assertThat(parser.parse(Optional.empty(), Fixtures.gitlab("job-pending"), "d"))
                .isInstanceOf(ParsedDelivery.Job.class);
    }

    @Test
    void legacyTimestampsAreUnderstood() {
        JobEvent e = job(json("""
                {"object_kind":"build","build_id":5,"build_status":"pending","project_id":9,
                 "build_created_at":"2021-02-23 02:41:37 UTC"}"""));
        assertThat(e.createdAt()).isEqualTo(Instant.parse("2021-02-23T02:41:37Z"));
        assertThat(e.project()).isEqualTo("9");
    }

    @Test
    void otherHooksAndStatusesAreIgnored() {
        assertThat(parser.parse(Optional.of("Push Hook"), json("{}"), "d")).isInstanceOf(ParsedDelivery.Ignored.class);
        assertThat(parser.parse(Optional.empty(), json("{\"object_kind\":\"pipeline\"}"), "d"))
                .isInstanceOf(ParsedDelivery.Ignored.class);
        assertThat(parser.parse(Optional.empty(), json("""
                {"object_kind":"build","build_id":5,"build_status":"manual","project_id":9}"""), "d"))
                .isInstanceOf(ParsedDelivery.Ignored.class);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"object_kind\": |body is not valid JSON",
            "\"build\" |body is not a JSON object",
            "|body is not a JSON object",
            "{\"object_kind\":\"build\",\"build_id\":\"1977\"} |build_id is missing or not a number",
            "{\"object_kind\":\"build\",\"build_id\":19.77} |build_id is missing or not a number",
            "{\"object_kind\":\"build\",\"build_id\":0,\"build_status\":\"pending\"} |build_id 0 is not a job id",
            "{\"object_kind\":\"build\",\"build_id\":-1977,\"build_status\":\"pending\"} |build_id -1977 is not a job id",
            "{\"object_kind\":\"build\",\"build_id\":1,\"build_status\":\"pending\"} |project is missing",
            "{\"object_kind\":\"build\",\"build_id\":1,\"build_status\":\"pending\",\"project_id\":1} |build_created_at is missing",
            "{\"object_kind\":\"build\",\"build_id\":1,\"build_status\":\"pending\",\"project_id\":1,\"build_created_at\":\"2026-13-45T99:00:00Z\"} |timestamp not understood",
            "{\"object_kind\":\"build\",\"build_id\":1,\"build_status\":\"pending\",\"project_id\":1,\"build_created_at\":12} |build_created_at is missing"})
    void malformedBodiesSayWhatIsWrong(String body, String reason) {
        var parsed = parser.parse(Optional.of("Job Hook"), json(body == null ? "" : body), "d");
        assertThat(parsed).isInstanceOf(ParsedDelivery.Malformed.class);
        assertThat(((ParsedDelivery.Malformed) parsed).reason()).contains(reason);
    }

    private JobEvent job(byte[] body) {
        var parsed = parser.parse(Optional.of("Job Hook"), body, "d");
        assertThat(parsed).isInstanceOf(ParsedDelivery.Job.class);
        return ((ParsedDelivery.Job) parsed).event();
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
