package io.runnerscaler.forges.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.PendingJobs;
import io.runnerscaler.forges.http.ForgeHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A project's pending jobs from GitLab's Jobs API ({@code GET /api/v4/projects/:id/jobs?scope[]=pending}), a
 * hundred a page, following {@code X-Next-Page}, with a {@code PRIVATE-TOKEN} that needs {@code read_api}. The
 * list carries each job's {@code tag_list}, so no lookup per job is needed. An answer that used up the rate limit
 * ({@link ForgeHttp#limitUsedUp}) ends the listing and says when the limit resets. A watched group's projects come
 * from {@link GitLabGroupProjects}, with the same token.
 */
public final class GitLabPendingJobs implements PendingJobs {

    static final int PER_PAGE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ForgeHttp http;
    private final Supplier<Optional<String>> token;
    private final String tokenSource;

    /**
     * @param token       the API token, read (and refreshed) from the secret store
     * @param tokenSource where the token comes from, for messages (the SSM parameter name)
     */
    public GitLabPendingJobs(HttpClient client, URI baseUrl, Supplier<Optional<String>> token, String tokenSource,
                             Clock clock) {
        this.http = new ForgeHttp(client, baseUrl, clock, Forge.GITLAB);
        this.token = token;
        this.tokenSource = tokenSource;
    }

    @Override
    public Forge forge() {
        return Forge.GITLAB;
    }

    @Override
    public Projects projects(String group, String page, int maxCalls) {
        String secret = secret();
        return new GitLabGroupProjects((path, what) -> http.send(http.request(path).header("PRIVATE-TOKEN", secret)
                .header("Accept", "application/json").GET().build(), what), http::limitUsedUp)
                .list(group, page, maxCalls);
    }

    private String secret() {
        return token.get().filter(t -> !t.isBlank()).orElseThrow(() -> new ForgeException.Misconfigured(
                "no GitLab API token: put a token with read_api scope in " + tokenSource));
    }

    @Override
    public Listing pending(String project, int maxCalls) {
        String secret = secret();
        var jobs = new ArrayList<JobEvent>();
        int calls = 0;
        Optional<String> page = Optional.of("1");
        Optional<Duration> retryAfter = Optional.empty();
        while (page.isPresent() && calls < maxCalls) {
            String what = "list pending jobs of project '" + project + "' (page " + page.get() + ")";
            HttpResponse<String> response = http.send(http.request("api/v4/projects/" + ForgeHttp.encode(project)
                            + "/jobs?scope%5B%5D=pending&per_page=" + PER_PAGE + "&page=" + page.get())
                    .header("PRIVATE-TOKEN", secret).header("Accept", "application/json").GET().build(), what);
            calls++;
            for (JsonNode job : array(response, what)) {
                if ("pending".equals(job.path("status").asText())) {
                    jobs.add(event(project, job));
                }
            }
            page = response.headers().firstValue("x-next-page").map(String::strip).filter(p -> !p.isEmpty());
            retryAfter = http.limitUsedUp(response);
            if (retryAfter.isPresent()) {
                break;
            }
        }
        return new Listing(jobs, calls, page.isEmpty(), retryAfter);
    }

    private JsonNode array(HttpResponse<String> response, String what) {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node != null && node.isArray()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw http.unexpected(what, response.statusCode(), "answer is not a JSON array of jobs");
    }

    private static JobEvent event(String project, JsonNode job) {
        var tags = new LinkedHashSet<String>();
        job.path("tag_list").forEach(t -> {
            if (t.isTextual()) {
                tags.add(t.textValue());
            }
        });
        return new JobEvent(Forge.GITLAB, Long.toString(job.path("id").asLong()), project, JobStatus.QUEUED, tags,
                Optional.empty(), POLLED, ForgeHttp.time(job.path("created_at")), Optional.empty(),
                Optional.empty());
    }
}
