package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.cli.simulate.ProgressBar;
import io.runnerscaler.cli.simulate.Trace;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Optional;

/**
 * A GitHub repository's job history as trace rows: its workflow runs created in the window
 * ({@code GET /repos/{owner}/{repo}/actions/runs?created=A..B}), then each run's jobs of every attempt
 * ({@code GET .../actions/runs/{run_id}/jobs?filter=all}), a hundred a page, following {@code Link: rel="next"}.
 * GitHub answers at most 1,000 runs for a query with {@code created} (REST docs, "List workflow runs for a
 * repository"), so the window is read a day at a time, and a slice with more runs than that is halved until it
 * has fewer. The token (a personal access token or an installation token) needs {@code actions: read}.
 */
final class GitHubHistory {

    static final String API_VERSION = "2022-11-28";
    static final int PER_PAGE = 100;
    static final int MOST_RUNS_PER_QUERY = 1000;
    private static final Duration SLICE = Duration.ofDays(1);
    private static final Duration SMALLEST_SLICE = Duration.ofMinutes(10);

    private final ForgePages pages;
    private final Optional<String> token;

    GitHubHistory(ForgePages pages, Optional<String> token) {
        this.pages = pages;
        this.token = token;
    }

    /**
     * One job of a "list jobs for a workflow run" answer. Arrival is {@code created_at}, which GitHub sets when the
     * job is queued (runner issue actions/runner#1881 added it for measuring queue time). The start is
     * {@code started_at}, except where it still equals {@code created_at} while the first step started later:
     * GitHub's own examples (octokit/webhooks {@code payload-examples/api.github.com/workflow_job}) show
     * {@code started_at} equal to {@code created_at} on queued and waiting jobs, a placeholder until a runner
     * takes the job, so there the first step's {@code started_at} (the runner's "Set up job") is the start.
     * Duration is {@code completed_at} minus the start. A job not {@code completed} is unfinished; a completed job
     * that no runner took ({@code skipped}, or cancelled with no {@code runner_name} and no steps) never started.
     */
    static void convert(JsonNode job, TraceRows rows) {
        JsonNode idNode = job.path("id");
        if (!idNode.isIntegralNumber()) {
            throw new HistoryException("a job without a numeric id: " + Instants.abbreviate(job));
        }
        String id = Long.toString(idNode.longValue());
        if (!"completed".equals(job.path("status").asText())) {
            rows.leave(TraceRows.Left.NOT_FINISHED);
            return;
        }
        boolean noRunner = job.path("runner_name").isNull() || job.path("runner_name").isMissingNode()
                || job.path("runner_name").asText().isEmpty();
        boolean noSteps = !job.path("steps").isArray() || job.path("steps").isEmpty();
        if ("skipped".equals(job.path("conclusion").asText()) || (noRunner && noSteps)) {
            rows.leave(TraceRows.Left.NEVER_STARTED);
            return;
        }
        Instant created = Instants.field(job, "created_at", id)
                .or(() -> Instants.field(job, "started_at", id)) // payloads before 2022 have no created_at
                .orElseThrow(() -> new HistoryException("job " + id + " has neither created_at nor started_at"));
        Instant started = Instants.field(job, "started_at", id).orElse(created);
        Optional<Instant> firstStep = noSteps ? Optional.empty()
                : Instants.field(job.path("steps").get(0), "started_at", id);
        if (started.equals(created) && firstStep.filter(created::isBefore).isPresent()) {
            started = firstStep.get();
        }
        Optional<Instant> completed = Instants.field(job, "completed_at", id);
        if (completed.isEmpty()) {
            rows.leave(TraceRows.Left.NOT_FINISHED);
            return;
        }
        var labels = new LinkedHashSet<String>();
        job.path("labels").forEach(l -> {
            if (l.isTextual() && !l.textValue().isBlank()) {
                labels.add(l.textValue().strip());
            }
        });
        Duration ran = Duration.between(started, completed.get());
        rows.keep(Trace.Row.at(id, Forge.GITHUB, labels, created, ran.isNegative() ? Duration.ZERO : ran), false);
    }

    /** Every job of the repository's runs created from {@code since} to {@code now}, into {@code rows}. */
    void repository(String repository, Instant since, Instant now, TraceRows rows, Optional<ProgressBar> bar) {
        String repo = repositoryPath(repository);
        Deque<Instant[]> slices = new ArrayDeque<>();
        for (Instant from = since; from.isBefore(now); from = from.plus(SLICE)) {
            Instant to = from.plus(SLICE).isBefore(now) ? from.plus(SLICE) : now;
            slices.addLast(new Instant[] {from, to});
        }
        long total = Math.max(1, Duration.between(since, now).toMillis());
        long done = 0;
        while (!slices.isEmpty()) {
            Instant[] slice = slices.pollFirst();
            if (!runs(repository, repo, slice[0], slice[1], rows)) {
                Instant middle = slice[0].plus(Duration.between(slice[0], slice[1]).dividedBy(2));
                slices.addFirst(new Instant[] {middle, slice[1]});
                slices.addFirst(new Instant[] {slice[0], middle});
                continue;
            }
            done += Duration.between(slice[0], slice[1]).toMillis();
            double fraction = done / (double) total;
            bar.ifPresent(b -> b.fraction(fraction, repository + ", " + rows.size() + " job(s)"));
        }
    }

    /** The jobs of the runs created in [from, to); false (and nothing read) when GitHub would cut the list short. */
    private boolean runs(String repository, String repo, Instant from, Instant to, TraceRows rows) {
        // The range is inclusive at both ends: end it a second before the next slice starts.
        String created = from.truncatedTo(ChronoUnit.SECONDS) + ".." + to.minusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
        Optional<String> next = Optional.of(repo + "/actions/runs?created=" + ForgeHttp.encode(created) + "&per_page="
                + PER_PAGE);
        for (int page = 1; next.isPresent(); page++) {
            String what = "list workflow runs of " + repository + " created " + created + " (page " + page + ")";
            HttpResponse<String> response = pages.get(request(next.get()), what);
            JsonNode answer = ForgePages.json(response, what, "GitHub");
            if (page == 1 && answer.path("total_count").asLong() > MOST_RUNS_PER_QUERY
                    && Duration.between(from, to).compareTo(SMALLEST_SLICE) > 0) {
                return false;
            }
            if (!answer.path("workflow_runs").isArray()) {
                throw new HistoryException("GitHub " + what + ": answer has no workflow_runs array");
            }
            for (JsonNode run : answer.path("workflow_runs")) {
                jobs(repository, repo, run.path("id").asLong(), rows);
            }
            next = pages.nextLink(response);
        }
        return true;
    }

    private void jobs(String repository, String repo, long runId, TraceRows rows) {
        Optional<String> next = Optional.of(repo + "/actions/runs/" + runId + "/jobs?filter=all&per_page=" + PER_PAGE);
        for (int page = 1; next.isPresent(); page++) {
            String what = "list jobs of workflow run " + runId + " of " + repository + " (page " + page + ")";
            HttpResponse<String> response = pages.get(request(next.get()), what);
            JsonNode answer = ForgePages.json(response, what, "GitHub");
            if (!answer.path("jobs").isArray()) {
                throw new HistoryException("GitHub " + what + ": answer has no jobs array");
            }
            answer.path("jobs").forEach(job -> convert(job, rows));
            next = pages.nextLink(response);
        }
    }

    static String repositoryPath(String repository) {
        int slash = repository.indexOf('/');
        if (slash <= 0 || slash == repository.length() - 1 || repository.indexOf('/', slash + 1) >= 0) {
            throw new HistoryException("--repo '" + repository + "' is not OWNER/REPO");
        }
        return "repos/" + ForgeHttp.encode(repository.substring(0, slash)) + "/"
                + ForgeHttp.encode(repository.substring(slash + 1));
    }

    private HttpRequest request(String path) {
        HttpRequest.Builder builder = pages.request(path).header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION);
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder.build();
    }
}
