package io.runnerscaler.cli.trace;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.runnerscaler.cli.RunnerScaler;
import io.runnerscaler.cli.simulate.Trace;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code runner-scaler trace gitlab|github} over saved pages and against WireMock stubs answering with the APIs'
 * documented shapes (README.md beside the fixtures): what becomes a row, what is counted, pagination, rate limits,
 * and failures that write nothing.
 */
class TraceCommandTest {

    private static final String TOKEN = "glpat-TRACEtokenNEVERprinted42";
    private static final Instant NOW = Instant.parse("2026-03-03T00:00:00Z");

    @TempDir
    Path dir;
    private ForgeApiStub forge;
    private final List<Duration> waits = new ArrayList<>();

    @BeforeEach
    void start() {
        forge = ForgeApiStub.start();
    }

    @AfterEach
    void stop() {
        forge.close();
    }

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {
        List<Trace.Row> rows() {
            return Trace.parse("out", out).rows();
        }
    }

    private Run run(TraceCommand.Source command, Instant now, String... args) {
        command.clock = Clock.fixed(now, ZoneOffset.UTC);
        command.sleeper = waits::add;
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run gitlab(String... args) {
        return run(new TraceCommand.GitLab(), NOW, args);
    }

    static String fixture(String name) {
        try (InputStream in = TraceCommandTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path saved(String name) throws IOException {
        return Files.writeString(dir.resolve(name), fixture(name));
    }

    private Path tokenFile() throws IOException {
        return Files.writeString(dir.resolve("token"), TOKEN + "\n");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder page(String fixture) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(fixture(fixture));
    }

    // Saved pages: what becomes a row.

    @Test
    void theDocumentedGitLabAnswerBecomesRowsQueuedAtStartMinusQueuedDuration() throws IOException {
        Run run = gitlab("--from-file", saved("gitlab-project-jobs.json").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                id,arrival,duration_seconds,forge,labels
                6,2015-12-24T17:54:24.706Z,0.192,gitlab,"docker runner;win10-2004"
                7,2015-12-24T17:54:27.712Z,0.173,gitlab,"docker runner;ubuntu18"
                """);
        assertThat(run.rows()).extracting(Trace.Row::labels).containsExactly(Set.of("docker runner", "win10-2004"),
                Set.of("docker runner", "ubuntu18"));
        assertThat(run.err()).contains("2 job(s) queued from 2015-12-24T17:54:24.706Z to 2015-12-24T17:54:27.712Z");
    }

    @Test
    void jobsThatNeverStartedOrHaveNotFinishedAreCountedNotWritten() throws IOException {
        Run run = gitlab("--from-file", saved("gitlab-project-jobs-nulls.json").toString(),
                saved("gitlab-project-jobs.json").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.rows()).extracting(Trace.Row::id).containsExactly("6", "7", "1979", "1980");
        Trace.Row laterStage = run.rows().get(2);
        assertThat(laterStage.arrival()).as("started 09:01:05.5 after 65.5 s in the queue, created at 08:00")
                .isEqualTo(new Trace.Arrival.At(Instant.parse("2026-03-02T09:00:00Z")));
        assertThat(laterStage.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(run.rows().get(3).arrival()).as("no queued_duration: created_at")
                .isEqualTo(new Trace.Arrival.At(Instant.parse("2026-03-02T09:00:00Z")));
        assertThat(run.err()).contains("left out: 3 never started, 1 not finished",
                "1 without a queueing time arrive at their creation");
    }

    @Test
    void aWindowIsAppliedToSavedPagesOnlyWhenGiven() throws IOException {
        Path nulls = saved("gitlab-project-jobs-nulls.json");
        Path old = saved("gitlab-project-jobs-old.json");

        assertThat(gitlab("--from-file", nulls.toString(), old.toString()).rows()).hasSize(3);
        Run windowed = gitlab("--from-file", nulls.toString(), old.toString(), "--since", "2026-03-01");
        assertThat(windowed.rows()).extracting(Trace.Row::id).containsExactly("1979", "1980");
        assertThat(windowed.err()).contains("1 queued before --since");
    }

    @Test
    void theDocumentedGitHubJobsBecomeRowsFromCreatedToCompleted() throws IOException {
        Run run = run(new TraceCommand.GitHub(), NOW, "--from-file", saved("github-run-jobs.json").toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                id,arrival,duration_seconds,forge,labels
                289782451,2021-08-05T10:33:58Z,198,github,ubuntu-latest
                289782452,2021-08-05T10:33:58Z,198,github,ubuntu-latest
                289782454,2021-08-05T10:33:58Z,186,github,ubuntu-latest
                """);
        assertThat(run.err()).contains("3 job(s)", "left out: 1 never started, 2 not finished");
    }

    @Test
    void savedPagesThatAreNotJobsSayWhatToSave() throws IOException {
        Path runs = saved("github-runs.json");
        Path notJson = Files.writeString(dir.resolve("broken.json"), "[{\"id\": 1,");

        Run runsPage = run(new TraceCommand.GitHub(), NOW, "--from-file", runs.toString());
        Run broken = gitlab("--from-file", notJson.toString());
        Run missing = gitlab("--from-file", dir.resolve("nope.json").toString());

        assertThat(runsPage.exit()).isEqualTo(1);
        assertThat(runsPage.err()).contains("a page of workflow runs holds no jobs", "/jobs?filter=all");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("broken.json: not JSON");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.json: no such file");
    }

    // The GitLab API.

    @Test
    void aProjectsJobsArePagedWithKeysetLinksUntilAPageIsOlderThanTheWindow() throws IOException {
        String next = forge.baseUri() + "api/v4/projects/acme%2Fapp/jobs?per_page=100&pagination=keyset"
                + "&order_by=id&sort=desc&cursor=eyJpZCI6MTk3OH0";
        forge.answer(get(urlPathEqualTo("/api/v4/projects/acme%2Fapp/jobs")).withQueryParam("pagination", equalTo("keyset"))
                .withQueryParam("cursor", absent()), page("gitlab-project-jobs-nulls.json")
                .withHeader("Link", "<" + next + ">; rel=\"next\""));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/acme%2Fapp/jobs"))
                .withQueryParam("cursor", equalTo("eyJpZCI6MTk3OH0")), page("gitlab-project-jobs-old.json")
                .withHeader("Link", "<" + next + "2>; rel=\"next\""));
        Path out = dir.resolve("week.csv");

        Run run = gitlab("--project", "acme/app", "--gitlab-url", forge.baseUri().toString(), "--token-file",
                tokenFile().toString(), "--out", out.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Trace.parse("week", Files.readString(out)).rows()).extracting(Trace.Row::id)
                .containsExactly("1979", "1980");
        assertThat(forge.requests("GET", "/api/v4/projects/acme%2Fapp/jobs")).hasSize(2)
                .allSatisfy(r -> assertThat(r.getHeader("PRIVATE-TOKEN")).isEqualTo(TOKEN));
        assertThat(run.err()).contains("1 queued before --since").doesNotContain(TOKEN);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withoutKeysetPaginationItPagesWithOffsetsAndXNextPage() {
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("pagination", equalTo("keyset")),
                aResponse().withStatus(405).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"Keyset pagination is not yet available for this type of request\"}"));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("page", equalTo("1")),
                page("gitlab-project-jobs-nulls.json").withHeader("X-Next-Page", "2"));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("page", equalTo("2")),
                page("gitlab-project-jobs-old.json").withHeader("X-Next-Page", ""));

        Run run = gitlab("--project", "1", "--gitlab-url", forge.baseUri().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.rows()).extracting(Trace.Row::id).containsExactly("1979", "1980");
        assertThat(forge.requests("GET", "/api/v4/projects/1/jobs"))
                .filteredOn(r -> r.queryParameter("page").isPresent()).hasSize(2);
    }

    @Test
    void rateLimitsAreWaitedOutAsGitLabSaysAndSaidOnStandardError() {
        String reset = Long.toString(NOW.plusSeconds(20).getEpochSecond());
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("cursor", absent())
                .inScenario("limit").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited"),
                aResponse().withStatus(429).withHeader("Retry-After", "30").withHeader("RateLimit-Limit", "600")
                        .withHeader("RateLimit-Remaining", "0"));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("cursor", absent())
                .inScenario("limit").whenScenarioStateIs("limited"),
                page("gitlab-project-jobs-nulls.json").withHeader("RateLimit-Remaining", "0")
                        .withHeader("RateLimit-Reset", reset)
                        .withHeader("Link", "<" + forge.baseUri() + "api/v4/projects/1/jobs?cursor=b>; rel=\"next\""));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")).withQueryParam("cursor", equalTo("b")),
                page("gitlab-project-jobs-old.json"));

        Run run = gitlab("--project", "1", "--gitlab-url", forge.baseUri().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.rows()).hasSize(2);
        assertThat(waits).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(20));
        assertThat(run.err()).contains("rate limited: waiting 30 s", "the rate limit is used up: waiting 20 s");
    }

    @Test
    void aGroupIsEveryProjectOfItAndItsSubgroups() {
        forge.answer(get(urlPathEqualTo("/api/v4/groups/acme/projects")).withQueryParam("include_subgroups",
                equalTo("true")), aResponse().withStatus(200).withHeader("X-Next-Page", "")
                .withBody("[{\"id\": 11, \"path_with_namespace\": \"acme/app\"},"
                        + " {\"id\": 12, \"path_with_namespace\": \"acme/tools/lib\"}]"));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/acme%2Fapp/jobs")), page("gitlab-project-jobs-nulls.json"));
        forge.answer(get(urlPathEqualTo("/api/v4/projects/acme%2Ftools%2Flib/jobs")),
                page("gitlab-project-jobs-old.json"));

        Run run = gitlab("--group", "acme", "--gitlab-url", forge.baseUri().toString(), "--since", "2026-02-01");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.rows()).extracting(Trace.Row::id).containsExactly("1978", "1979", "1980");
    }

    @Test
    void aRefusedTokenEndsTheRunNamingTheFileNeverTheTokenAndWritesNothing() throws IOException {
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")), aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"401 Unauthorized\"}"));
        Path out = Files.writeString(dir.resolve("week.csv"), "the previous trace\n");
        Path token = tokenFile();

        Run run = gitlab("--project", "1", "--gitlab-url", forge.baseUri().toString(), "--token-file",
                token.toString(), "--out", out.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("401 Unauthorized", "the token in " + token, "read_api", "nothing written")
                .doesNotContain(TOKEN).doesNotContain("SSM");
        assertThat(Files.readString(out)).isEqualTo("the previous trace\n");
        assertThat(Files.list(dir)).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "week.csv", "token");
    }

    @Test
    void aWindowWithoutFinishedJobsWritesNothingAndExitsOne() {
        forge.answer(get(urlPathEqualTo("/api/v4/projects/1/jobs")), aResponse().withStatus(200).withBody("[]"));

        Run run = gitlab("--project", "1", "--gitlab-url", forge.baseUri().toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("no finished job queued since 2026-02-24T00:00:00Z; nothing written");
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        assertThat(gitlab().exit()).as("no project, group or file").isEqualTo(2);
        assertThat(gitlab("--project", "1", "--group", "acme").exit()).isEqualTo(2);
        Run since = gitlab("--project", "1", "--since", "last week");
        assertThat(since.exit()).isEqualTo(2);
        assertThat(since.err()).contains("--since 'last week' is neither");
        Run emptyToken = gitlab("--project", "1", "--token-file", Files.writeString(dir.resolve("t"), "\n").toString());
        assertThat(emptyToken.exit()).isEqualTo(2);
        assertThat(emptyToken.err()).contains("empty; put the API token in it");
        Run repo = run(new TraceCommand.GitHub(), NOW, "--repo", "acme");
        assertThat(repo.exit()).isEqualTo(2);
        assertThat(repo.err()).contains("--repo 'acme' is not OWNER/REPO");
    }

    // The GitHub API.

    @Test
    void aRepositorysRunsAndTheirJobsAreReadADayAtATime() throws IOException {
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs")), page("github-runs.json"));
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs/11234567890/jobs")), page("github-run-jobs.json")
                .withHeader("x-ratelimit-remaining", "4999"));
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs/11234567891/jobs")),
                aResponse().withStatus(200).withBody("{\"total_count\": 0, \"jobs\": []}"));

        Run run = run(new TraceCommand.GitHub(), Instant.parse("2021-08-06T00:00:00Z"), "--repo", "acme/app",
                "--since", "1d", "--github-api-url", forge.baseUri().toString(), "--token-file", tokenFile().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.rows()).extracting(Trace.Row::id).containsExactly("289782451", "289782452", "289782454");
        assertThat(forge.only("GET", "/repos/acme/app/actions/runs").queryParameter("created").firstValue())
                .isEqualTo("2021-08-05T00:00:00Z..2021-08-05T23:59:59Z");
        assertThat(forge.requests("GET", "/repos/acme/app/actions/runs/11234567890/jobs")).singleElement()
                .satisfies(r -> {
                    assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
                    assertThat(r.getHeader("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
                    assertThat(r.queryParameter("filter").firstValue()).isEqualTo("all");
                });
    }

    @Test
    void aSliceWithMoreRunsThanGitHubAnswersIsHalved() {
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs")).atPriority(1)
                .withQueryParam("created", equalTo("2021-08-05T00:00:00Z..2021-08-05T23:59:59Z")),
                page("github-runs-too-many.json"));
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs")).atPriority(5), page("github-runs.json"));
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs/11234567890/jobs")), page("github-run-jobs.json"));
        forge.answer(get(urlPathEqualTo("/repos/acme/app/actions/runs/11234567891/jobs")),
                aResponse().withStatus(200).withBody("{\"total_count\": 0, \"jobs\": []}"));

        Run run = run(new TraceCommand.GitHub(), Instant.parse("2021-08-06T00:00:00Z"), "--repo", "acme/app",
                "--since", "1d", "--github-api-url", forge.baseUri().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(forge.requests("GET", "/repos/acme/app/actions/runs"))
                .extracting(r -> r.queryParameter("created").firstValue()).containsExactly(
                        "2021-08-05T00:00:00Z..2021-08-05T23:59:59Z", "2021-08-05T00:00:00Z..2021-08-05T11:59:59Z",
                        "2021-08-05T12:00:00Z..2021-08-05T23:59:59Z");
        assertThat(run.rows()).hasSize(3);
        assertThat(run.err()).contains("seen twice");
    }

    @Test
    void theTraceCommandIsListedAndItsHelpNamesTheSources() {
        var out = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("trace", "gitlab", "--help")).isZero();
        assertThat(out.toString()).contains("--project", "--group", "--from-file", "--since", "--token-file",
                "queued_duration");
    }
}
