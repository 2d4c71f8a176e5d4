package io.runnerscaler.forges.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobTags;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * GitLab's Jobs API ({@code GET /api/v4/projects/:id/jobs/:job_id}), read for a job's {@code tag_list} and, once
 * it runs, the runner and runner manager running it,
 * with a {@code PRIVATE-TOKEN} that needs the {@code read_api} scope, through {@link ForgeHttp} like every forge
 * call. Its failures become {@link JobTags.LookupFailed} of the same kind, with a message naming the fix; the
 * token never appears in one.
 */
public final class GitLabJobsApi implements JobTags {

    private final ForgeHttp http;
    private final Supplier<Optional<String>> token;
    private final String tokenSource;

    /**
     * @param baseUrl     the instance, e.g. {@code https://gitlab.example.com}
     * @param token       the API token, read (and refreshed) from the secret store
     * @param tokenSource where the token comes from, for messages (the SSM parameter name)
     */
    public GitLabJobsApi(HttpClient http, URI baseUrl, Supplier<Optional<String>> token, String tokenSource,
                         Clock clock) {
        this.http = new ForgeHttp(http, baseUrl, clock, Forge.GITLAB);
        this.token = token;
        this.tokenSource = tokenSource;
    }

    @Override
    public Set<String> tags(String project, String jobId) {
        return job(project, jobId).tags();
    }

    /**
     * The job's {@code tag_list}, {@code runner.id} and {@code runner_manager.system_id}. GitLab's job entity
     * ({@code lib/api/entities/ci/job.rb}) exposes {@code runner} and, since 17.0, {@code runner_manager}
     * ({@code lib/api/entities/ci/runner_manager.rb}, {@code system_xid} as {@code system_id}); both are
     * {@code null} until a runner picks the job up.
     */
    @Override
    public Job job(String project, String jobId) {
        String path = "api/v4/projects/" + ForgeHttp.encode(project) + "/jobs/" + ForgeHttp.encode(jobId);
        String what = "GET /" + path;
        Optional<String> stored;
        try {
            stored = token.get();
        } catch (RuntimeException e) {
            throw new LookupFailed(Reason.UNAVAILABLE, tokenSource + " cannot be read: " + e.getClass().getSimpleName(),
                    Optional.empty());
        }
        String secret = stored.filter(t -> !t.isBlank()).orElseThrow(() -> new LookupFailed(Reason.UNAUTHORIZED,
                "no GitLab API token: put a token with read_api scope in " + tokenSource, Optional.empty()));
        try {
            JsonNode job = http.json(http.request(path).header("PRIVATE-TOKEN", secret)
                    .header("Accept", "application/json").GET().build(), what);
            JsonNode manager = job.path("runner_manager");
            return new Job(tagList(job, what), runnerId(job.path("runner")), systemId(manager), createdAt(manager));
        } catch (ForgeException e) {
            throw LookupFailed.of(e, fix(e));
        }
    }

    private String fix(ForgeException e) {
        return switch (e) {
            case ForgeException.Unauthorized u -> "; the token in " + tokenSource
                    + " is invalid, expired or lacks read_api scope";
            case ForgeException.Forbidden f -> "; the token in " + tokenSource
                    + " lacks read_api scope or access to the project";
            case ForgeException.NotFound n -> "; the job does not exist or the token in " + tokenSource
                    + " cannot see the project";
            default -> "";
        };
    }

    private static Optional<String> runnerId(JsonNode runner) {
        JsonNode id = runner.path("id");
        return id.isIntegralNumber() && id.asLong() > 0 ? Optional.of(Long.toString(id.asLong())) : Optional.empty();
    }

    /** The manager's system id as GitLab has it; other runners' managers may have any form (docs: {@code runner-1}). */
    private static Optional<String> systemId(JsonNode manager) {
        return Optional.ofNullable(manager.path("system_id").textValue()).filter(s -> !s.isBlank());
    }

    /**
     * When GitLab created the runner manager: it does so when the runner on a machine first reaches it with its system
     * id (the {@code POST /runners/verify} of registration, or its first job request), so for a machine of ours this
     * is when its runner registered. {@code lib/api/entities/ci/runner_manager.rb} exposes {@code created_at} (ISO
     * 8601, as doc/api/jobs.md shows it); absent or unreadable, it is unknown.
     */
    private static Optional<java.time.Instant> createdAt(JsonNode manager) {
        String at = manager.path("created_at").textValue();
        if (at == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(at).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private Set<String> tagList(JsonNode job, String what) {
        JsonNode tags = job.path("tag_list");
        if (!tags.isArray()) {
            throw http.unexpected(what, 200, "answer has no tag_list array");
        }
        var result = new LinkedHashSet<String>();
        tags.forEach(t -> {
            if (t.isTextual()) {
                result.add(t.textValue());
            }
        });
        return result;
    }
}
