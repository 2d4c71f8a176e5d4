package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A repository's queued jobs from GitHub's Actions API: the queued and the in-progress workflow runs
 * ({@code GET /repos/{owner}/{repo}/actions/runs?status=queued}, then {@code status=in_progress}), then each run's jobs
 * ({@code GET .../actions/runs/{run_id}/jobs}) whose status is {@code queued}, a hundred a page, following the
 * {@code Link: rel="next"} header. The calls go through the App's {@link GitHubAppClient} (its installation token
 * needs {@code actions: read}), so they share the App's quota with the runner calls: none is sent while the App is
 * paused, a rate limit on a listing pauses the App for every caller, and every answer feeds
 * {@code GitHubRateLimitRemaining}. An answer that used up the rate limit ({@link ForgeHttp#limitUsedUp}) ends the
 * listing and says when the limit resets.
 */
public final class GitHubPendingJobs implements PendingJobs {

    static final int PER_PAGE = 100;
    /**
     * A run's {@code status} filter takes one value; a queued job also waits inside a run already in progress (its
     * other jobs started, or an earlier job of a matrix), so both are listed, queued runs first.
     */
    static final List<String> RUN_STATUSES = List.of("queued", "in_progress");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<[^>]*>;\\s*rel=\"next\"");

    private final GitHubAppClient app;

    /** @param app the App's client, the one its runner calls and re-runs use */
    public GitHubPendingJobs(GitHubAppClient app) {
        this.app = app;
    }

    @Override
    public Forge forge() {
        return Forge.GITHUB;
    }

    @Override
    public Listing pending(String repository, int maxCalls) {
        String repo = repositoryPath(repository);
        var listing = new Pages(maxCalls);
        var jobs = new LinkedHashMap<String, JobEvent>();
        var seenRuns = new HashSet<Long>();
        boolean complete = true;
        for (String status : RUN_STATUSES) {
            if (!runs(repository, repo, status, listing, seenRuns, jobs)) {
                complete = false;
                break;
            }
        }
        return new Listing(List.copyOf(jobs.values()), listing.calls, complete, listing.retryAfter);
    }

    /**
     * Adds the queued jobs of every run in {@code status}, page by page; false when the budget or rate limit ended it
     * first. A run seen already (it moved from queued to in progress between the two listings) is not listed again.
     */
    private boolean runs(String repository, String repo, String status, Pages listing, Set<Long> seenRuns,
                         Map<String, JobEvent> jobs) {
        for (int page = 1; ; page++) {
            Optional<JsonNode> runs = listing.get(repo + "/actions/runs?status=" + status + "&per_page=" + PER_PAGE
                    + "&page=" + page, "list " + status + " workflow runs of " + repository);
            if (runs.isEmpty()) {
                return false;
            }
            boolean morePages = listing.hadNext;
            for (JsonNode run : runs.get().path("workflow_runs")) {
                long runId = run.path("id").asLong();
                if (seenRuns.add(runId) && !jobsOfRun(repository, repo, runId, listing, jobs)) {
                    return false;
                }
            }
            if (!morePages) {
                return true;
            }
        }
    }

    /** Adds the run's queued jobs; false when the budget or the rate limit ended the listing first. */
    private boolean jobsOfRun(String repository, String repo, long runId, Pages listing, Map<String, JobEvent> jobs) {
        for (int page = 1; ; page++) {
            Optional<JsonNode> answer = listing.get(repo + "/actions/runs/" + runId + "/jobs?per_page=" + PER_PAGE
                    + "&page=" + page, "list jobs of workflow run " + runId + " of " + repository);
            if (answer.isEmpty()) {
                return false;
            }
            for (JsonNode job : answer.get().path("jobs")) {
                if ("queued".equals(job.path("status").asText())) {
                    JobEvent e = event(repository, job);
                    jobs.putIfAbsent(e.jobKey(), e);
                }
            }
            if (!listing.hadNext) {
                return true;
            }
        }
    }

    /** The listing's GET calls, counted against the budget, and what the rate limit headers said. */
    private final class Pages {
        private final int maxCalls;
        int calls;
        boolean hadNext;
        Optional<Duration> retryAfter = Optional.empty();

        Pages(int maxCalls) {
            this.maxCalls = maxCalls;
        }

        /** The answer, or empty when the budget is spent or the limit was used up by the previous answer. */
        Optional<JsonNode> get(String path, String what) {
            if (calls >= maxCalls || retryAfter.isPresent()) {
                return Optional.empty();
            }
            HttpResponse<String> response = app.send(what, () -> app.request(path).GET());
            calls++;
            hadNext = response.headers().firstValue("link").filter(l -> NEXT.matcher(l).find()).isPresent();
            retryAfter = app.limitUsedUp(response);
            try {
                JsonNode node = JSON.readTree(response.body());
                if (node != null && node.isObject()) {
                    return Optional.of(node);
                }
            } catch (IOException e) {
                // reported below
            }
            throw new ForgeException.UnexpectedAnswer("GitHub " + what + ": answer is not a JSON object",
                    response.statusCode());
        }
    }

    private static String repositoryPath(String repository) {
        int slash = repository.indexOf('/');
        if (slash <= 0 || slash == repository.length() - 1) {
            throw new ForgeException.Misconfigured("GitHub repository '" + repository
                    + "' is not owner/repo");
        }
        return "repos/" + ForgeHttp.encode(repository.substring(0, slash)) + "/"
                + ForgeHttp.encode(repository.substring(slash + 1));
    }

    private static JobEvent event(String repository, JsonNode job) {
        var labels = new LinkedHashSet<String>();
        job.path("labels").forEach(l -> {
            if (l.isTextual()) {
                labels.add(l.textValue());
            }
        });
        return new JobEvent(Forge.GITHUB, Long.toString(job.path("id").asLong()), repository, JobStatus.QUEUED,
                labels, Optional.empty(), POLLED, ForgeHttp.time(job.path("created_at")), Optional.empty(),
                Optional.empty(), Optional.of(repository.substring(0, repository.indexOf('/'))), Optional.empty());
    }
}
