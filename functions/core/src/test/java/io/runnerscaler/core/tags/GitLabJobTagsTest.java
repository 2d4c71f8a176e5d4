package io.runnerscaler.core.tags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.core.port.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GitLabJobTagsTest {

    private final List<String> lookups = new ArrayList<>();
    private final List<Map<String, String>> failures = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private JobTags api = (project, job) -> {
        lookups.add(project + "/" + job);
        return Set.of("docker", "linux");
    };

    private final Metrics metrics = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
            if (name.equals("TagLookupFailures")) {
                failures.add(dimensions);
            }
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }
    };

    /** What the single-job API answers beyond tags; null: only the tags ({@code api}). */
    private JobTags.Job job;

    private GitLabJobTags tags() {
        JobTags answering = new JobTags() {
            @Override
            public Set<String> tags(String project, String jobId) {
                return api.tags(project, jobId);
            }

            @Override
            public Job job(String project, String jobId) {
                Set<String> tags = api.tags(project, jobId);
                return job != null ? job : new Job(tags, Optional.empty(), Optional.empty());
            }
        };
        return new GitLabJobTags(answering, new JsonLinesLog(new PrintStream(out, true,
                StandardCharsets.UTF_8), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)), metrics);
    }

    @Test
    void gitlabJobGetsItsTagsFromTheApi() {
        assertThat(tags().apply(event(Forge.GITLAB, JobStatus.QUEUED)).labels()).containsExactlyInAnyOrder("docker",
                "linux");
        assertThat(lookups).containsExactly("gitlab-org/gitlab-test/1977");
    }

    @Test
    void tagsAreLookedUpOnceAndARunningJobAgainForItsRunnerManager() {
        GitLabJobTags tags = tags();
        tags.apply(event(Forge.GITLAB, JobStatus.QUEUED));
        tags.apply(event(Forge.GITLAB, JobStatus.RUNNING));
        tags.apply(event(Forge.GITLAB, JobStatus.SUCCEEDED));
        assertThat(lookups).hasSize(2);
    }

    @Test
    void aRunningJobCarriesTheRunnerAndRunnerManagerTheJobsApiNames() {
        job = new JobTags.Job(Set.of("docker"), Optional.of("9171"), Optional.of("s_56789abcdef0"),
                Optional.of(java.time.Instant.parse("2026-11-23T09:00:52.112Z")));

        JobEvent running = tags().apply(event(Forge.GITLAB, JobStatus.RUNNING));

        assertThat(running.labels()).containsExactly("docker");
        assertThat(running.runnerId()).contains("9171");
        assertThat(running.runnerManager()).contains("s_56789abcdef0");
        assertThat(running.runnerManagerCreatedAt()).contains(java.time.Instant.parse("2026-11-23T09:00:52.112Z"));
    }

    @Test
    void aGitLabWithoutRunnerManagersLeavesTheHooksRunnerId() {
        job = new JobTags.Job(Set.of("docker"), Optional.empty(), Optional.empty());
        JobEvent hook = event(Forge.GITLAB, JobStatus.RUNNING).withRunner(Optional.of("9171"), Optional.empty());

        JobEvent running = tags().apply(hook);

        assertThat(running.runnerId()).contains("9171");
        assertThat(running.runnerManager()).isEmpty();
    }

    @Test
    void aFailedRunningLookupGoesOnWithTheCachedTagsWithoutARunnerManager() {
        GitLabJobTags tags = tags();
        tags.apply(event(Forge.GITLAB, JobStatus.QUEUED));
        api = (p, j) -> {
            throw new JobTags.LookupFailed(JobTags.Reason.UNAVAILABLE, "timeout", Optional.empty());
        };

        JobEvent running = tags.apply(event(Forge.GITLAB, JobStatus.RUNNING));

        assertThat(running.labels()).containsExactlyInAnyOrder("docker", "linux");
        assertThat(running.runnerManager()).isEmpty();
        assertThat(failures).containsExactly(Map.of("Reason", "UNAVAILABLE"));
    }

    @Test
    void aFailedRunningLookupWithoutCachedTagsIsThrownForARetry() {
        api = (p, j) -> {
            throw new JobTags.LookupFailed(JobTags.Reason.UNAVAILABLE, "timeout", Optional.empty());
        };
        assertThatThrownBy(() -> tags().apply(event(Forge.GITLAB, JobStatus.RUNNING)))
                .isInstanceOf(JobTags.LookupFailed.class);
    }

    @Test
    void githubJobsAlreadyCarryTheirLabels() {
        JobEvent github = event(Forge.GITHUB, JobStatus.QUEUED).withLabels(Set.of("self-hosted"));
        assertThat(tags().apply(github)).isSameAs(github);
        assertThat(lookups).isEmpty();
    }

    @Test
    void failedLookupIsLoggedCountedAndThrownSoTheMessageIsRetried() {
        api = (p, j) -> {
            throw new JobTags.LookupFailed(JobTags.Reason.RATE_LIMITED, "GET /api/v4/projects/x/jobs/1977 answered 429",
                    Optional.of(Duration.ofSeconds(42)));
        };
        assertThatThrownBy(() -> tags().apply(event(Forge.GITLAB, JobStatus.QUEUED)))
                .isInstanceOf(JobTags.LookupFailed.class);
        assertThat(failures).containsExactly(Map.of("Reason", "RATE_LIMITED"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"event\":\"job.tag_lookup_failed\"")
                .contains("\"reason\":\"RATE_LIMITED\"").contains("\"retryable\":true")
                .contains("\"retryAfterSeconds\":42");
    }

    @Test
    void failuresAreNotCached() {
        GitLabJobTags tags = tags();
        JobTags working = api;
        api = (p, j) -> {
            throw new JobTags.LookupFailed(JobTags.Reason.UNAVAILABLE, "timeout", Optional.empty());
        };
        assertThatThrownBy(() -> tags.apply(event(Forge.GITLAB, JobStatus.QUEUED)));
        api = working;
        assertThat(tags.apply(event(Forge.GITLAB, JobStatus.QUEUED)).labels()).contains("docker");
    }

    private static JobEvent event(Forge forge, JobStatus status) {
        return new JobEvent(forge, "1977", "gitlab-org/gitlab-test", status, Set.of(), Optional.empty(), "d",
                Instant.parse("2026-11-23T09:00:00Z"), Optional.empty(), Optional.empty());
    }
}
