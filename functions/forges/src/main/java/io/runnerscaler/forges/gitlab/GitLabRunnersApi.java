package io.runnerscaler.forges.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The GitLab REST calls around runners (API v4): create a runner for a pool, find its id from its token,
 * list and delete its runner managers (one per machine), and list the jobs running on one manager.
 * Calls that act for a user take a personal, group or project access token ({@code PRIVATE-TOKEN});
 * calls that act for the runner take its authentication token ({@code glrt-...}).
 */
public final class GitLabRunnersApi {

    private final ForgeHttp http;

    public GitLabRunnersApi(HttpClient client, URI gitlabUrl, Clock clock) {
        this.http = new ForgeHttp(client, gitlabUrl, clock, Forge.GITLAB);
    }

    /** Where a new runner belongs: {@code POST /user/runners} {@code runner_type} and its owner. */
    public sealed interface Scope {
        record Instance() implements Scope {
        }

        record Group(long groupId) implements Scope {
        }

        record Project(long projectId) implements Scope {
        }
    }

    /** A pool's runner as {@code POST /user/runners} creates it. */
    public record NewRunner(Scope scope, String description, Set<String> tags, boolean runUntagged, boolean locked,
                            Optional<Integer> maximumTimeoutSeconds) {
        public NewRunner {
            tags = Set.copyOf(tags);
        }
    }

    /** The created runner: its id and authentication token, which goes straight to SSM. */
    public record CreatedRunner(long id, Secret token, Optional<Instant> tokenExpiresAt) {
    }

    /** One machine registered with a runner's token. */
    public record RunnerManager(long id, String systemId, String status, Optional<Instant> contactedAt,
                                Optional<String> ipAddress) {
    }

    /** A job as the runner jobs list shows it. */
    public record RunnerJob(long id, String status, String name, long projectId, Optional<String> systemId) {
    }

    /** {@code POST /api/v4/user/runners}: needs an access token with the {@code create_runner} scope. */
    public CreatedRunner createRunner(Secret accessToken, NewRunner runner) {
        var body = new LinkedHashMap<String, Object>();
        switch (runner.scope()) {
            case Scope.Instance i -> body.put("runner_type", "instance_type");
            case Scope.Group g -> {
                body.put("runner_type", "group_type");
                body.put("group_id", g.groupId());
            }
            case Scope.Project p -> {
                body.put("runner_type", "project_type");
                body.put("project_id", p.projectId());
            }
        }
        body.put("description", runner.description());
        body.put("tag_list", runner.tags().stream().sorted().toList());
        body.put("run_untagged", runner.runUntagged());
        body.put("locked", runner.locked());
        runner.maximumTimeoutSeconds().ifPresent(t -> body.put("maximum_timeout", t));
        HttpRequest request = http.request("api/v4/user/runners")
                .header("PRIVATE-TOKEN", accessToken.value())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ForgeHttp.toJson(body)))
                .build();
        JsonNode created = http.json(request, "create runner '" + runner.description() + "'");
        return new CreatedRunner(created.path("id").asLong(), new Secret(created.path("token").asText()),
                instant(created.path("token_expires_at")));
    }

    /**
     * {@code POST /api/v4/runners/verify} without a system id: the runner id behind an authentication token.
     * (With a system id GitLab would record a runner manager, which the control plane must not create.)
     */
    public long runnerIdForToken(Secret runnerToken) {
        HttpRequest request = http.request("api/v4/runners/verify")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + ForgeHttp.encode(runnerToken.value())))
                .build();
        JsonNode verified = http.json(request, "verify runner token");
        long id = verified.path("id").asLong(0);
        if (id == 0) {
            throw new ForgeException.Unavailable("GitLab verify runner token: answer has no runner id", 200, null);
        }
        return id;
    }

    /** {@code GET /api/v4/runners/:id/managers}. */
    public List<RunnerManager> managers(Secret accessToken, long runnerId) {
        HttpRequest request = http.request("api/v4/runners/" + runnerId + "/managers")
                .header("PRIVATE-TOKEN", accessToken.value())
                .GET().build();
        var managers = new ArrayList<RunnerManager>();
        for (JsonNode m : http.json(request, "list managers of runner " + runnerId)) {
            managers.add(new RunnerManager(m.path("id").asLong(), m.path("system_id").asText(),
                    m.path("status").asText(""), instant(m.path("contacted_at")), text(m.path("ip_address"))));
        }
        return managers;
    }

    /**
     * {@code DELETE /api/v4/runners/managers} with the runner's token and the machine's system id. Returns
     * false when GitLab no longer knows that manager, which is the outcome wanted.
     */
    public boolean deleteManager(Secret runnerToken, String systemId) {
        String form = "token=" + ForgeHttp.encode(runnerToken.value()) + "&system_id=" + ForgeHttp.encode(systemId);
        HttpRequest request = http.request("api/v4/runners/managers")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(form))
                .build();
        try {
            http.send(request, "delete runner manager " + systemId);
            return true;
        } catch (ForgeException.NotFound e) {
            return false;
        }
    }

    /**
     * {@code DELETE /api/v4/runners} with the runner's own authentication token: removes the runner and every
     * manager of it. Returns false when GitLab no longer knows the token, which is the outcome wanted.
     */
    public boolean deleteRunner(Secret runnerToken) {
        HttpRequest request = http.request("api/v4/runners")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("token=" + ForgeHttp.encode(runnerToken.value())))
                .build();
        try {
            http.send(request, "delete runner");
            return true;
        } catch (ForgeException.NotFound | ForgeException.Forbidden e) {
            // 403 is how GitLab answers DELETE /runners for a token it does not know
            return false;
        }
    }

    /**
     * {@code GET /api/v4/runners/:id/jobs?status=running&system_id=...}: jobs running on one machine. GitLab
     * versions without the {@code system_id} filter ignore it and list the jobs of every machine of the runner,
     * which errs towards "busy", the safe side.
     */
    public List<RunnerJob> runningJobs(Secret accessToken, long runnerId, String systemId) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("status", "running");
        query.put("system_id", systemId);
        query.put("per_page", "100");
        String q = query.entrySet().stream().map(e -> e.getKey() + "=" + ForgeHttp.encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = http.request("api/v4/runners/" + runnerId + "/jobs?" + q)
                .header("PRIVATE-TOKEN", accessToken.value())
                .GET().build();
        var jobs = new ArrayList<RunnerJob>();
        for (JsonNode j : http.json(request, "list running jobs of runner " + runnerId + " manager " + systemId)) {
            jobs.add(new RunnerJob(j.path("id").asLong(), j.path("status").asText(), j.path("name").asText(""),
                    j.path("project").path("id").asLong(), text(j.path("runner_manager").path("system_id"))));
        }
        return jobs;
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode node) {
        return text(node).map(t -> OffsetDateTime.parse(t).toInstant());
    }
}
