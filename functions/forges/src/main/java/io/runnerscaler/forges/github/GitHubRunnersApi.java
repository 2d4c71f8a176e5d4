package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.runner.RunnerRegistryException;
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
import java.util.function.Supplier;

/**
 * The GitHub REST calls around self-hosted runners, for an organisation or a repository, authenticated as a
 * GitHub App installation: generate a just-in-time runner config, find a runner by name, delete a runner.
 */
public final class GitHubRunnersApi {

    static final String API_VERSION = "2022-11-28";

    private final ForgeHttp http;
    private final GitHubAppAuth auth;

    public GitHubRunnersApi(HttpClient client, URI apiUrl, Clock clock, GitHubApp app,
                            SecretStore secrets) {
        this.http = new ForgeHttp(client, apiUrl, clock, "GitHub");
        this.auth = new GitHubAppAuth(http, app, secrets, clock);
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

    /** {@code POST /orgs/{org}/actions/runners/generate-jitconfig} or the repository variant. */
    public JitRunner generateJitConfig(GitHubTarget target, String name, Set<String> labels, String workFolder) {
        if (labels.isEmpty()) {
            throw new RunnerRegistryException.Misconfigured("GitHub runner '" + name + "' for " + target
                    + ": a JIT runner needs at least one label");
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("name", name);
        body.put("runner_group_id", target.runnerGroupId());
        body.put("labels", labels.stream().sorted().toList());
        body.put("work_folder", workFolder);
        JsonNode answer = call("generate-jitconfig for " + target, () -> http.request(target.path()
                        + "/actions/runners/generate-jitconfig")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ForgeHttp.toJson(body))));
        return new JitRunner(runner(answer.path("runner")), new Secret(answer.path("encoded_jit_config").asText()));
    }

    /** {@code GET .../actions/runners?name=}: the runner with exactly this name, if registered. */
    public Optional<Runner> findByName(GitHubTarget target, String name) {
        JsonNode answer = call("list runners named '" + name + "' of " + target, () -> http.request(target.path()
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
            call("delete runner " + runnerId + " of " + target,
                    () -> http.request(target.path() + "/actions/runners/" + runnerId).DELETE());
            return true;
        } catch (RunnerRegistryException.NotFound e) {
            return false;
        }
    }

    private JsonNode call(String what, Supplier<HttpRequest.Builder> request) {
        HttpRequest built = headers(request.get())
                .header("Authorization", "Bearer " + auth.installationToken().value())
                .build();
        try {
            return http.json(built, what);
        } catch (RunnerRegistryException.Unauthorized e) {
            auth.invalidate();
            throw e;
        }
    }

    static HttpRequest.Builder headers(HttpRequest.Builder builder) {
        return builder.header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", API_VERSION);
    }

    private static Runner runner(JsonNode r) {
        var labels = new ArrayList<String>();
        r.path("labels").forEach(l -> labels.add(l.path("name").asText()));
        return new Runner(r.path("id").asLong(), r.path("name").asText(), r.path("status").asText(""),
                r.path("busy").asBoolean(false), r.path("ephemeral").asBoolean(false), Set.copyOf(labels));
    }
}
