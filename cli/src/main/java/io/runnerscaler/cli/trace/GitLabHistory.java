package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.cli.simulate.ProgressBar;
import io.runnerscaler.cli.simulate.Trace;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.forges.gitlab.GitLabGroupProjects;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * A GitLab project's (or group's) job history from the Jobs API, {@code GET /api/v4/projects/:id/jobs}, as trace
 * rows. GitLab lists jobs newest first (descending id); pages are read with keyset pagination
 * ({@code pagination=keyset&order_by=id&sort=desc}, following the {@code Link: rel="next"} header) where the
 * instance offers it, else with offsets ({@code page}, following {@code X-Next-Page}); both are in GitLab's REST
 * API docs, {@code doc/api/rest/index.md}, "Pagination". A group's projects come from {@link GitLabGroupProjects},
 * as the reaper's watched groups do. The token ({@code PRIVATE-TOKEN}) needs
 * {@code read_api}.
 */
final class GitLabHistory {

    static final int PER_PAGE = 100;
    /**
     * Listing stops at the first page whose jobs were all created this long before the window: a later stage's job
     * is created with its pipeline and may be queued hours after that, so jobs created a little before the window
     * can still arrive in it. A job played by hand days after its pipeline is missed.
     */
    static final Duration LOOK_BACK = Duration.ofDays(1);

    private final ForgePages pages;
    private final Optional<String> token;

    GitLabHistory(ForgePages pages, Optional<String> token) {
        this.pages = pages;
        this.token = token;
    }

    /**
     * One job of the API's answer (docs {@code doc/api/jobs.md}, "List project jobs"): arrival is when it became
     * pending, {@code started_at - queued_duration} (a later stage's job is created with its pipeline, long before
     * it is queued), or {@code created_at} where GitLab gives no {@code queued_duration}; duration is
     * {@code finished_at - started_at}; labels are {@code tag_list}; id is the job id.
     */
    static void convert(JsonNode job, TraceRows rows) {
        String id = jobId(job);
        Optional<Instant> started = Instants.field(job, "started_at", id);
        Optional<Instant> finished = Instants.field(job, "finished_at", id);
        if (started.isEmpty()) {
            rows.leave(TraceRows.Left.NEVER_STARTED);
            return;
        }
        if (finished.isEmpty()) {
            rows.leave(TraceRows.Left.NOT_FINISHED);
            return;
        }
        JsonNode queued = job.path("queued_duration");
        Instant arrival;
        boolean fallback = !queued.isNumber();
        if (fallback) {
            arrival = Instants.field(job, "created_at", id).orElseThrow(() -> new HistoryException("job " + id
                    + " has neither queued_duration nor created_at"));
        } else {
            arrival = started.get().minusMillis(Math.round(Math.max(0, queued.doubleValue()) * 1000));
        }
        var labels = new LinkedHashSet<String>();
        job.path("tag_list").forEach(t -> {
            if (t.isTextual() && !t.textValue().isBlank()) {
                labels.add(t.textValue().strip());
            }
        });
        Duration ran = Duration.between(started.get(), finished.get());
        rows.keep(Trace.Row.at(id, Forge.GITLAB, labels, arrival, ran.isNegative() ? Duration.ZERO : ran), fallback);
    }

    private static String jobId(JsonNode job) {
        JsonNode id = job.path("id");
        if (!id.canConvertToLong() || !id.isIntegralNumber()) {
            throw new HistoryException("a job without a numeric id: " + Instants.abbreviate(job));
        }
        return Long.toString(id.longValue());
    }

    /** Every job of the project whose arrival may fall after {@code since}, into {@code rows}. */
    void project(String project, Instant since, Instant now, TraceRows rows, Optional<ProgressBar> bar, String note) {
        String jobs = "api/v4/projects/" + ForgeHttp.encode(project) + "/jobs?per_page=" + PER_PAGE;
        Optional<String> next = Optional.of(jobs + "&pagination=keyset&order_by=id&sort=desc");
        boolean keyset = true;
        for (int page = 1; next.isPresent(); page++) {
            String what = "list jobs of project '" + project + "' (page " + page + ")";
            HttpResponse<String> response;
            try {
                response = pages.get(request(next.get()), what);
            } catch (ForgeException e) {
                if (keyset && page == 1 && (e.status() == 405 || e.status() == 400)) {
                    // "Keyset pagination is not yet available for this type of request" (older GitLab): offsets.
                    keyset = false;
                    next = Optional.of(jobs + "&page=1");
                    page = 0;
                    continue;
                }
                throw e;
            }
            JsonNode array = ForgePages.json(response, what, "GitLab");
            if (!array.isArray()) {
                throw new HistoryException("GitLab " + what + ": answer is not a JSON array of jobs");
            }
            Instant oldest = now;
            for (JsonNode job : array) {
                convert(job, rows);
                oldest = Instants.field(job, "created_at", jobId(job)).filter(oldest::isAfter).orElse(oldest);
            }
            double done = Duration.between(oldest, now).toMillis() / (double) Math.max(1,
                    Duration.between(since, now).toMillis());
            bar.ifPresent(b -> b.fraction(done, note + ", " + rows.size() + " job(s)"));
            if (array.isEmpty() || oldest.isBefore(since.minus(LOOK_BACK))) {
                return;
            }
            next = keyset ? pages.nextLink(response) : response.headers().firstValue("x-next-page").map(String::strip)
                    .filter(p -> !p.isEmpty()).map(p -> jobs + "&page=" + p);
        }
    }

    /** A group's projects, subgroups included, archived ones left out: the forges module's listing. */
    List<String> groupProjects(String group) {
        return new GitLabGroupProjects((path, what) -> pages.get(request(path), what), waitsItself -> Optional.empty())
                .all(group);
    }

    private HttpRequest request(String path) {
        HttpRequest.Builder builder = pages.request(path).header("Accept", "application/json");
        token.ifPresent(t -> builder.header("PRIVATE-TOKEN", t));
        return builder.build();
    }
}
