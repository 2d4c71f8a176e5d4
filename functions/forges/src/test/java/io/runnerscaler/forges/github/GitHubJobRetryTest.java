package io.runnerscaler.forges.github;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubJobRetryTest {

    static final String RERUN = "/repos/acme/app/actions/jobs/30433642001/rerun";

    private ForgeApiStub github;
    private GitHubJobRetry retry;

    @BeforeEach
    void start() {
        github = ForgeApiStub.start();
        github.answer("POST", "/app/installations/777/access_tokens", 201, "github/installation-token.json");
        retry = new GitHubJobRetry(new GitHubAppClient(HttpClient.newHttpClient(), github.baseUri(),
                GitHubRunnerRegistryTest.CLOCK, GitHubAppAuthTest.APP, name -> Optional.ofNullable(
                        Map.of(GitHubAppAuthTest.APP.privateKeyParameter(), TestAppKey.pkcs1Pem()).get(name))));
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void reRunsTheJobAsTheAppInstallation() {
        github.answer("POST", RERUN, 201, "github/rerun-job.json");

        assertThat(retry.retry(Forge.GITHUB, "acme/app", "30433642001"))
                .isEqualTo(new JobRetry.Outcome.Retried(Optional.empty()));
        var request = github.only("POST", RERUN);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a");
        assertThat(request.getHeader("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(request.getBodyAsString()).isEqualTo("{\"enable_debug_logging\":false}");
    }

    @Test
    void aRunStillRunningOtherJobsIsARefusalWithGitHubsReason() {
        github.answer("POST", RERUN, 403, "github/error-403-rerun-run-active.json");

        assertThat(retry.retry(Forge.GITHUB, "acme/app", "30433642001")).isEqualTo(new JobRetry.Outcome.Failed(
                "GitHub re-run of job 30433642001 in acme/app answered 403: The workflow run containing this job is already"
                        + " running (the token lacks a permission)"));
    }

    @Test
    void aRateLimitIsAFailureNotAnExceptionAndPausesTheApp() {
        github.answer("POST", RERUN, 403, "github/error-403-rate-limit.json", Map.of("x-ratelimit-remaining", "0"));
        assertThat(retry.retry(Forge.GITHUB, "acme/app", "30433642001")).isInstanceOfSatisfying(
                JobRetry.Outcome.Failed.class, f -> assertThat(f.reason()).contains("answered 403: API rate limit exceeded"));

        assertThat(retry.retry(Forge.GITHUB, "acme/app", "30433642001")).isInstanceOfSatisfying(
                JobRetry.Outcome.Failed.class, f -> assertThat(f.reason()).contains("the App is paused"));
        assertThat(github.requests("POST", RERUN)).as("not sent while paused").hasSize(1);
    }

    @Test
    void badCredentialsAreAFailureNotAnException() {
        github.answer("POST", RERUN, 401, "github/error-401.json");
        assertThat(retry.retry(Forge.GITHUB, "acme/app", "30433642001")).isInstanceOfSatisfying(
                JobRetry.Outcome.Failed.class, f -> assertThat(f.reason()).contains("answered 401: Bad credentials"));
    }

    @Test
    void onlyGitHubJobsOfAnOwnerRepoAreReRun() {
        assertThat(retry.retry(Forge.GITLAB, "acme/app", "1")).isInstanceOf(JobRetry.Outcome.Failed.class);
        assertThat(retry.retry(Forge.GITHUB, "acme/app/../../orgs/acme", "1")).isInstanceOf(JobRetry.Outcome.Failed.class);
        assertThat(retry.retry(Forge.GITHUB, "acme/app", "1/../2")).isInstanceOf(JobRetry.Outcome.Failed.class);
        assertThat(github.requests("POST", RERUN)).isEmpty();
        assertThat(github.server().getAllServeEvents()).as("no call at all").isEmpty();
    }
}
