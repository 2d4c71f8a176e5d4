package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * The GitHub REST calls around self-hosted runners, for an organisation or a repository, authenticated as a
 * GitHub App installation: generate a just-in-time runner config, find a runner by name, delete a runner.
 */
public final class GitHubRunnersApi {

    private final GitHubAppClient github;

    public GitHubRunnersApi(HttpClient client, URI apiUrl, Clock clock, GitHubApp app,
                            SecretStore secrets) {
        this(new GitHubAppClient(client, apiUrl, clock, app, secrets));
    }

    /** Sharing the client (and so its cached installation token) with the other GitHub calls. */
    public GitHubRunnersApi(GitHubAppClient github) {
        this.github = github;
    }

    /** A self-hosted runner as GitHub lists it. */
    public record Runner(long id, String name, String status, boolean busy, boolean ephemeral, Set<String> labels) {
        public Runner {
            labels = Set.copyOf(labels);
        }
    }

    /** A just-in-time runner: its registration and the config that starts it, once. */
    public record JitRunner(Runner runner, Secret encodedJitConfig) {
    }

    /**
     * GitHub's secondary limit: at most 900 points a minute per REST endpoint, a POST costing 5 ("Rate limits for the
     * REST API", "Calculating points for the secondary rate limit"): 180 JIT configs a minute for the App. The same
     * page's content-creation limit (80 a minute, 500 an hour) names no endpoint; GitHub does not document JIT configs
     * as content, and should it apply, its 403 pauses the App like any other secondary limit.
     */
    static final int POINTS_PER_MINUTE = 900;
    static final int POST_POINTS = 5;

    /** How many JIT configs the App may generate now, shared by every instance and pool, and when the rest may. */
    public GitHubAppClient.Budget jitConfigBudget(int configs) {
        return github.budget("generate-jitconfig", POST_POINTS, configs, POINTS_PER_MINUTE);
    }

    /** {@code POST /orgs/{org}/actions/runners/generate-jitconfig} or the repository variant. */
    public JitRunner generateJitConfig(GitHubTarget target, String name, Set<String> labels, String workFolder) {
        if (labels.isEmpty()) {
            throw new ForgeException.Misconfigured("GitHub runner '" + name + "' for " + target
                    + ": a JIT runner needs at least one label");
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("name", name);
        body.put("runner_group_id", target.runnerGroupId());
        body.put("labels", labels.stream().sorted().toList());
        body.put("work_folder", workFolder);
        JsonNode answer = github.call("generate-jitconfig for " + target, () -> github.request(path(target)
                        + "/actions/runners/generate-jitconfig")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ForgeHttp.toJson(body))));
        return new JitRunner(runner(answer.path("runner")), new Secret(answer.path("encoded_jit_config").asText()));
    }

    /** {@code GET .../actions/runners?name=}: the runner with exactly this name, if registered. */
    public Optional<Runner> findByName(GitHubTarget target, String name) {
        JsonNode answer = github.call("list runners named '" + name + "' of " + target, () -> github.request(path(target)
                + "/actions/runners?name=" + ForgeHttp.encode(name) + "&per_page=100").GET());
        for (JsonNode r : answer.path("runners")) {
            if (name.equals(r.path("name").asText())) {
                return Optional.of(runner(r));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code DELETE .../actions/runners/{id}}. Returns false when the runner is already gone (an ephemeral
     * runner removes itself after its job). GitHub refuses to delete a runner that runs a job: 422, Rejected.
     */
    public boolean delete(GitHubTarget target, long runnerId) {
        try {
            github.call("delete runner " + runnerId + " of " + target,
                    () -> github.request(path(target) + "/actions/runners/" + runnerId).DELETE());
            return true;
        } catch (ForgeException.NotFound e) {
            return false;
        }
    }

    /** {@code orgs/acme} or {@code repos/acme/app}, the prefix of the runner endpoints. */
    private static String path(GitHubTarget target) {
        return target.repository().map(r -> "repos/" + target.owner() + "/" + r).orElse("orgs/" + target.owner());
    }

    private static Runner runner(JsonNode r) {
        var labels = new ArrayList<String>();
        r.path("labels").forEach(l -> labels.add(l.path("name").asText()));
        return new Runner(r.path("id").asLong(), r.path("name").asText(), r.path("status").asText(""),
                r.path("busy").asBoolean(false), r.path("ephemeral").asBoolean(false), Set.copyOf(labels));
    }
}
