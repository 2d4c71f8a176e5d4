package io.runnerscaler.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobRetryTest {

    @Test
    void eachJobGoesToItsOwnForgesRetry() {
        JobRetry gitlab = (forge, project, job) -> new JobRetry.Outcome.Retried(Optional.of("gitlab-" + job));
        JobRetry github = (forge, project, job) -> new JobRetry.Outcome.Retried(Optional.of("github-" + job));
        JobRetry both = JobRetry.byForge(Map.of(Forge.GITLAB, gitlab, Forge.GITHUB, github));

        assertThat(both.retry(Forge.GITLAB, "group/app", "1")).isEqualTo(new JobRetry.Outcome.Retried(Optional.of("gitlab-1")));
        assertThat(both.retry(Forge.GITHUB, "acme/app", "2")).isEqualTo(new JobRetry.Outcome.Retried(Optional.of("github-2")));
    }

    @Test
    void aForgeWithoutRetryIsRefusedWithTheReason() {
        JobRetry gitlabOnly = JobRetry.byForge(Map.of(Forge.GITLAB,
                (forge, project, job) -> new JobRetry.Outcome.Retried(Optional.empty())));

        assertThat(gitlabOnly.retry(Forge.GITHUB, "acme/app", "2")).isEqualTo(
                new JobRetry.Outcome.Failed("no github API token configured for job retries"));
        assertThat(JobRetry.byForge(Map.of()).retry(Forge.GITLAB, "g/a", "1"))
                .isInstanceOf(JobRetry.Outcome.Failed.class);
    }
}
