package io.runnerscaler.forges.gitlab;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.forges.http.ForgeHttp;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listing a project's pending jobs against a WireMock GitLab answering with recorded job lists and errors. */
class GitLabPendingJobsTest {

    private static final String TOKEN = "glpat-test-token-not-real";
    private static final String PARAMETER = "parameter /runner-scaler/test/gitlab-api-token";
    private static final String JOBS = "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs";
    private static final Instant NOW = Instant.parse("2026-11-23T09:10:00Z");

    private final ForgeApiStub gitlab = ForgeApiStub.start();

    @AfterEach
    void stop() {
        gitlab.close();
    }

    private GitLabPendingJobs api(Optional<String> token) {
        return new GitLabPendingJobs(ForgeHttp.newClient(), gitlab.baseUri(), () -> token, PARAMETER,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private GitLabPendingJobs api() {
        return api(Optional.of(TOKEN));
    }

    private void page(String page, String fixture, String nextPage) {
        gitlab.answer(get(urlPathEqualTo(JOBS)).withQueryParam("page", equalTo(page)),
                ForgeApiStub.json(200, fixture, Map.of("X-Page", page, "X-Next-Page", nextPage, "X-Per-Page", "100")));
    }

    @Test
    void followsXNextPageAndReturnsEachPendingJobQueuedWithItsTags() {
        page("1", "gitlab/project-jobs-pending.json", "2");
        page("2", "gitlab/project-jobs-pending-page2.json", "");
        PendingJobs.Listing listing = api().pending("gitlab-org/gitlab-test", 10);
        assertThat(listing.calls()).isEqualTo(2);
        assertThat(listing.complete()).isTrue();
        assertThat(listing.retryAfter()).isEmpty();
        assertThat(listing.jobs()).extracting(JobEvent::jobKey).containsExactly("gitlab:1977", "gitlab:1978", "gitlab:1979");
        JobEvent first = listing.jobs().getFirst();
        assertThat(first.forge()).isEqualTo(Forge.GITLAB);
        assertThat(first.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(first.project()).isEqualTo("gitlab-org/gitlab-test");
        assertThat(first.labels()).containsExactlyInAnyOrder("docker", "linux");
        assertThat(first.createdAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
        assertThat(first.deliveryId()).isEqualTo(PendingJobs.POLLED);
        assertThat(listing.jobs().get(1).labels()).as("untagged job").isEmpty();
        var request = gitlab.requests("GET", JOBS).getFirst();
        assertThat(request.getHeader("PRIVATE-TOKEN")).isEqualTo(TOKEN);
        assertThat(request.queryParameter("scope[]").values()).containsExactly("pending");
        assertThat(request.queryParameter("per_page").firstValue()).isEqualTo("100");
    }

    @Test
    void stopsAtTheCallBudgetAndSaysTheListingIsIncomplete() {
        page("1", "gitlab/project-jobs-pending.json", "2");
        page("2", "gitlab/project-jobs-pending-page2.json", "");
        PendingJobs.Listing listing = api().pending("gitlab-org/gitlab-test", 1);
        assertThat(listing.calls()).isEqualTo(1);
        assertThat(listing.complete()).isFalse();
        assertThat(listing.jobs()).hasSize(2);
        assertThat(gitlab.requests("GET", JOBS)).hasSize(1);
    }

    @Test
    void numericProjectAndAnEmptyList() {
        gitlab.answer("GET", "/api/v4/projects/380/jobs", 200, "gitlab/project-jobs-none.json");
        PendingJobs.Listing listing = api().pending("380", 10);
        assertThat(listing.jobs()).isEmpty();
        assertThat(listing.complete()).isTrue();
    }

    @Test
    void jobsNoLongerPendingAreLeftOut() {
        gitlab.answer(get(urlPathEqualTo(JOBS)), aResponse().withStatus(200).withBody(
                "[{\"id\":5,\"status\":\"running\",\"tag_list\":[],\"created_at\":\"2026-11-23T09:00:00.000Z\"},"
                        + "{\"id\":6,\"status\":\"pending\",\"tag_list\":[\"docker\"],\"created_at\":\"2026-11-23T10:00:00.000+01:00\"}]"));
        PendingJobs.Listing listing = api().pending("gitlab-org/gitlab-test", 10);
        assertThat(listing.jobs()).singleElement().satisfies(j -> {
            assertThat(j.jobId()).isEqualTo("6");
            assertThat(j.createdAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
        });
    }

    @Test
    void unauthorizedIsPermanentAndNeverShowsTheToken() {
        gitlab.answer("GET", JOBS, 401, "gitlab/error-401.json");
        assertThatThrownBy(() -> api().pending("gitlab-org/gitlab-test", 10))
                .isInstanceOfSatisfying(ForgeException.Unauthorized.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("gitlab-org/gitlab-test").contains("401")
                            .doesNotContain(TOKEN);
                });
    }

    @Test
    void unknownProjectIsNotFound() {
        gitlab.answer("GET", JOBS, 404, "gitlab/error-404.json");
        assertThatThrownBy(() -> api().pending("gitlab-org/gitlab-test", 10))
                .isInstanceOf(ForgeException.NotFound.class);
    }

    @Test
    void rateLimitedCarriesTheRetryAfterGitLabSent() {
        gitlab.answer(get(urlPathEqualTo(JOBS)), aResponse().withStatus(429).withHeader("Retry-After", "30")
                .withHeader("RateLimit-Limit", "600").withHeader("RateLimit-Remaining", "0"));
        assertThatThrownBy(() -> api().pending("gitlab-org/gitlab-test", 10))
                .isInstanceOfSatisfying(ForgeException.RateLimited.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
                });
    }

    @Test
    void serverErrorIsRetryableAndASignInPageIsAnUnexpectedAnswer() {
        gitlab.answer(get(urlPathEqualTo(JOBS)), aResponse().withStatus(502));
        assertThatThrownBy(() -> api().pending("gitlab-org/gitlab-test", 10))
                .isInstanceOfSatisfying(ForgeException.Unavailable.class, e -> assertThat(e.retryable()).isTrue());
        gitlab.server().resetAll();
        gitlab.answer(get(urlPathEqualTo(JOBS)), aResponse().withStatus(200).withBody("<html>sign in</html>"));
        assertThatThrownBy(() -> api().pending("gitlab-org/gitlab-test", 10))
                .isInstanceOfSatisfying(ForgeException.UnexpectedAnswer.class, e -> {
                    assertThat(e.getMessage()).contains("not a JSON array");
                    assertThat(e.retryable()).as("the URL points at something else until an operator acts").isFalse();
                });
    }

    @Test
    void missingTokenNamesWhereToPutIt() {
        assertThatThrownBy(() -> api(Optional.empty()).pending("380", 10))
                .isInstanceOfSatisfying(ForgeException.Misconfigured.class,
                        e -> assertThat(e.getMessage()).contains(PARAMETER).contains("read_api"));
        assertThat(gitlab.server().getAllServeEvents()).isEmpty();
    }

    // ---------------------------------------------------------------- a group's projects

    private static final String GROUP_PROJECTS = "/api/v4/groups/acme%2Fplatform/projects";

    private void groupPage(String page, String fixture, String nextPage) {
        gitlab.answer(get(urlPathEqualTo(GROUP_PROJECTS)).withQueryParam("page", equalTo(page)),
                ForgeApiStub.json(200, fixture, Map.of("X-Page", page, "X-Next-Page", nextPage, "X-Per-Page", "100")));
    }

    @Test
    void aGroupsProjectsWithTheirSubgroupsComePageByPageByPath() {
        groupPage("1", "gitlab/group-projects.json", "2");
        groupPage("2", "gitlab/group-projects-page2.json", "");

        PendingJobs.Projects projects = api().projects("acme/platform", "1", 10);

        assertThat(projects.projects()).as("named as job events name them, the subgroup's project too")
                .containsExactly("acme/platform/app", "acme/platform/tools/cli", "acme/platform/docs");
        assertThat(projects.calls()).isEqualTo(2);
        assertThat(projects.complete()).isTrue();
        var request = gitlab.requests("GET", GROUP_PROJECTS).getFirst();
        assertThat(request.getHeader("PRIVATE-TOKEN")).isEqualTo(TOKEN);
        assertThat(request.queryParameter("include_subgroups").firstValue()).isEqualTo("true");
        assertThat(request.queryParameter("with_shared").firstValue()).as("not other groups' projects").isEqualTo("false");
        assertThat(request.queryParameter("archived").firstValue()).isEqualTo("false");
        assertThat(request.queryParameter("per_page").firstValue()).isEqualTo("100");
    }

    @Test
    void aGroupListingStopsAtTheBudgetAndSaysWhereToGoOn() {
        groupPage("1", "gitlab/group-projects.json", "2");
        groupPage("2", "gitlab/group-projects-page2.json", "");

        PendingJobs.Projects first = api().projects("acme/platform", "1", 1);
        assertThat(first.projects()).hasSize(2);
        assertThat(first.complete()).isFalse();
        assertThat(first.nextPage()).contains("2");

        PendingJobs.Projects rest = api().projects("acme/platform", first.nextPage().get(), 1);
        assertThat(rest.projects()).containsExactly("acme/platform/docs");
        assertThat(rest.complete()).isTrue();
        assertThat(gitlab.requests("GET", GROUP_PROJECTS)).hasSize(2);
    }

    @Test
    void aGroupListingFollowsLinkNextWhereXNextPageIsMissing() {
        gitlab.answer(get(urlPathEqualTo(GROUP_PROJECTS)).withQueryParam("page", equalTo("1")),
                ForgeApiStub.json(200, "gitlab/group-projects.json", Map.of("Link",
                        "<https://gitlab.example.com/api/v4/groups/acme%2Fplatform/projects?include_subgroups=true"
                                + "&page=2&per_page=100>; rel=\"next\", <https://gitlab.example.com/api/v4/groups/"
                                + "acme%2Fplatform/projects?page=1&per_page=100>; rel=\"first\"")));
        groupPage("2", "gitlab/group-projects-page2.json", "");
        assertThat(api().projects("acme/platform", "1", 10).projects()).hasSize(3);
    }

    @Test
    void aGroupListingThatUsedUpTheLimitStopsUntilTheReset() {
        gitlab.answer(get(urlPathEqualTo(GROUP_PROJECTS)), ForgeApiStub.json(200, "gitlab/group-projects.json",
                Map.of("X-Next-Page", "2", "RateLimit-Remaining", "0",
                        "RateLimit-Reset", Long.toString(NOW.plusSeconds(40).getEpochSecond()))));
        PendingJobs.Projects projects = api().projects("acme/platform", "1", 10);
        assertThat(projects.calls()).isEqualTo(1);
        assertThat(projects.retryAfter()).contains(Duration.ofSeconds(40));
        assertThat(projects.nextPage()).contains("2");
    }

    @Test
    void anUnknownGroupIsNotFoundAndAnAnswerOfTheWrongShapeIsUnexpected() {
        gitlab.answer("GET", GROUP_PROJECTS, 404, "gitlab/error-404.json");
        assertThatThrownBy(() -> api().projects("acme/platform", "1", 10))
                .isInstanceOfSatisfying(ForgeException.NotFound.class,
                        e -> assertThat(e.getMessage()).contains("group 'acme/platform'").doesNotContain(TOKEN));
        gitlab.server().resetAll();
        gitlab.answer(get(urlPathEqualTo(GROUP_PROJECTS)), aResponse().withStatus(200).withBody("{\"id\":7}"));
        assertThatThrownBy(() -> api().projects("acme/platform", "1", 10))
                .isInstanceOfSatisfying(ForgeException.UnexpectedAnswer.class,
                        e -> assertThat(e.getMessage()).contains("not a JSON array of projects"));
    }

    @Test
    void aGroupListingWithoutATokenAsksNothing() {
        assertThatThrownBy(() -> api(Optional.empty()).projects("acme", "1", 10))
                .isInstanceOf(ForgeException.Misconfigured.class);
        assertThat(gitlab.server().getAllServeEvents()).isEmpty();
    }
}
