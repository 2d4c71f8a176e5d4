package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;

/**
 * Authenticates as a GitHub App installation: signs an App JWT (RS256, issued 60 s in the past against clock
 * drift, valid 9 minutes, GitHub allows 10) and exchanges it for an installation token
 * ({@code POST /app/installations/{id}/access_tokens}), kept until 5 minutes before it expires so a warm
 * Lambda asks once an hour.
 */
public final class GitHubAppAuth {

    static final Duration JWT_BACKDATE = Duration.ofSeconds(60);
    static final Duration JWT_LIFETIME = Duration.ofMinutes(9);
    private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final ForgeHttp http;
    private final GitHubApp app;
    private final SecretStore secrets;
    private final Clock clock;
    private PrivateKey key;
    private Secret token;
    private Instant tokenExpiresAt = Instant.MIN;

    public GitHubAppAuth(ForgeHttp http, GitHubApp app, SecretStore secrets, Clock clock) {
        this.http = http;
        this.app = app;
        this.secrets = secrets;
        this.clock = clock;
    }

    /** A valid installation token, fetched when none is cached or the cached one is near its end. */
    public synchronized Secret installationToken() {
        Instant now = clock.instant();
        if (token != null && now.isBefore(tokenExpiresAt.minus(REFRESH_BEFORE_EXPIRY))) {
            return token;
        }
        HttpRequest request = GitHubAppClient.headers(http.request("app/installations/" + app.installationId() + "/access_tokens"))
                .header("Authorization", "Bearer " + jwt(now))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        JsonNode answer = http.json(request, "installation token for installation " + app.installationId());
        token = new Secret(answer.path("token").asText());
        tokenExpiresAt = Instant.parse(answer.path("expires_at").asText());
        return token;
    }

    /** Forget the cached token, after GitHub refused it (revoked, App permissions changed). */
    public synchronized void invalidate() {
        token = null;
        tokenExpiresAt = Instant.MIN;
    }

    /** The App JWT for {@code now}. */
    String jwt(Instant now) {
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        var claims = new LinkedHashMap<String, Object>();
        claims.put("iat", now.minus(JWT_BACKDATE).getEpochSecond());
        claims.put("exp", now.plus(JWT_LIFETIME).getEpochSecond());
        claims.put("iss", app.appId());
        String signingInput = header + "." + b64(ForgeHttp.toJson(claims));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new ForgeException.Misconfigured("GitHub App " + app.appId() + ": cannot sign the App JWT ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private PrivateKey privateKey() {
        if (key == null) {
            String pem = secrets.get(app.privateKeyParameter()).orElseThrow(() -> new ForgeException.Misconfigured(
                    "GitHub App " + app.appId() + ": SSM parameter '" + app.privateKeyParameter() + "' not found"));
            try {
                key = RsaPrivateKeyPem.parse(pem);
            } catch (IllegalArgumentException e) {
                throw new ForgeException.Misconfigured(e.getMessage() + " (SSM parameter '"
                        + app.privateKeyParameter() + "')");
            }
        }
        return key;
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
