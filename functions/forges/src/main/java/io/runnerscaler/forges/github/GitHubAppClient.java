package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Calls to the GitHub REST API (github.com or Enterprise Server) as a GitHub App installation: the headers
 * every call carries and the installation token, which is dropped when GitHub refuses it. One per App, shared
 * by the runner calls and job re-runs so they share the cached token.
 */
public final class GitHubAppClient {

    static final String API_VERSION = "2022-11-28";

    private final ForgeHttp http;
    private final GitHubAppAuth auth;

    public GitHubAppClient(HttpClient client, URI apiUrl, Clock clock, GitHubApp app, SecretStore secrets) {
        this.http = new ForgeHttp(client, apiUrl, clock, Forge.GITHUB);
        this.auth = new GitHubAppAuth(http, app, secrets, clock);
    }

    /** A request builder for a path relative to the API URL ({@code "orgs/acme/actions/runners"}). */
    HttpRequest.Builder request(String path) {
        return http.request(path);
    }

    /** Sends with the installation token; {@code what} names the call in errors. */
    JsonNode call(String what, Supplier<HttpRequest.Builder> request) {
        HttpRequest built = headers(request.get())
                .header("Authorization", "Bearer " + auth.installationToken().value())
                .build();
        try {
            return http.json(built, what);
        } catch (ForgeException.Unauthorized e) {
            auth.invalidate();
            throw e;
        }
    }

    /** The installation token, for callers that read answers' headers themselves (pending-job listings). */
    public Secret installationToken() {
        return auth.installationToken();
    }

    static HttpRequest.Builder headers(HttpRequest.Builder builder) {
        return builder.header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", API_VERSION);
    }
}
