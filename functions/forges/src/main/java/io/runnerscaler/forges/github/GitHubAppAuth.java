package io.runnerscaler.forges.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.memory.InMemoryAppQuota;
import io.runnerscaler.core.port.AppQuota;
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
import java.util.Optional;

/**
 * Authenticates as a GitHub App installation: signs an App JWT (RS256, issued 60 s in the past against clock
 * drift, valid 9 minutes, GitHub allows 10) and exchanges it for an installation token
 * ({@code POST /app/installations/{id}/access_tokens}), kept until 5 minutes before it expires and shared with the
 * stack's other function instances through the {@link AppQuota}, so the stack asks about once an hour.
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
    private final AppQuota quota;
    private final String appKey;
    private PrivateKey key;
    private Secret token;
    private Instant tokenExpiresAt = Instant.MIN;

    public GitHubAppAuth(ForgeHttp http, GitHubApp app, SecretStore secrets, Clock clock) {
        this(http, app, secrets, clock, new InMemoryAppQuota(), "github-" + app.installationId());
    }

    /** @param quota where the token is shared with the stack's other function instances, under {@code appKey} */
    public GitHubAppAuth(ForgeHttp http, GitHubApp app, SecretStore secrets, Clock clock, AppQuota quota,
                         String appKey) {
        this.http = http;
        this.app = app;
        this.secrets = secrets;
        this.clock = clock;
        this.quota = quota;
        this.appKey = appKey;
    }

    /**
     * A valid installation token: this instance's, else the one another instance stored, else a new one from GitHub,
     * which is then stored for the others. A token store that cannot be read or written only costs a token request.
     */
    public synchronized Secret installationToken() {
        Instant now = clock.instant();
        if (token != null && now.isBefore(tokenExpiresAt.minus(REFRESH_BEFORE_EXPIRY))) {
            return token;
        }
        Optional<AppQuota.Token> shared = sharedToken(now);
        if (shared.isPresent()) {
            token = shared.get().token();
            tokenExpiresAt = shared.get().expiresAt();
            return token;
        }
        HttpRequest request = GitHubAppClient.headers(http.request("app/installations/" + app.installationId() + "/access_tokens"))
                .header("Authorization", "Bearer " + jwt(now))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        JsonNode answer = http.json(request, "installation token for installation " + app.installationId());
        token = new Secret(answer.path("token").asText());
        tokenExpiresAt = Instant.parse(answer.path("expires_at").asText());
        try {
            quota.putToken(appKey, new AppQuota.Token(token, tokenExpiresAt));
        } catch (RuntimeException storeFailed) {
            // the others ask GitHub for their own
        }
        return token;
    }

    private Optional<AppQuota.Token> sharedToken(Instant now) {
        try {
            return quota.token(appKey, now).filter(t -> now.isBefore(t.expiresAt().minus(REFRESH_BEFORE_EXPIRY)));
        } catch (RuntimeException storeFailed) {
            return Optional.empty();
        }
    }

    /** Forget the cached token, here and for every instance, after GitHub refused it (revoked, permissions changed). */
    public synchronized void invalidate() {
        token = null;
        tokenExpiresAt = Instant.MIN;
        try {
            quota.dropToken(appKey);
        } catch (RuntimeException storeFailed) {
            // the others learn it from GitHub's own 401
        }
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
