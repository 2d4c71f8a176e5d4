package io.runnerscaler.forges.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.forges.http.ForgeHttp;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubAppAuthTest {

    static final Instant NOW = Instant.parse("2026-11-23T13:20:00Z");
    static final GitHubApp APP = new GitHubApp("4242", 777, "/runner-scaler/github-app-key");

    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private ForgeApiStub github;
    private GitHubAppAuth auth;

    @BeforeEach
    void start() {
        github = ForgeApiStub.start();
        auth = new GitHubAppAuth(new ForgeHttp(HttpClient.newHttpClient(), github.baseUri(), clock, Forge.GITHUB), APP,
                name -> Optional.ofNullable(Map.of(APP.privateKeyParameter(), TestAppKey.pkcs1Pem()).get(name)), clock);
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void appJwtIsRs256SignedWithTheAppKeyAndValidNineMinutes() throws Exception {
        String[] parts = auth.jwt(NOW).split("\\.");

        JsonNode header = decode(parts[0]);
        JsonNode claims = decode(parts[1]);
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("typ").asText()).isEqualTo("JWT");
        assertThat(claims.path("iss").asText()).isEqualTo("4242");
        assertThat(claims.path("iat").asLong()).isEqualTo(NOW.getEpochSecond() - 60);
        assertThat(claims.path("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 540);
        var rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(TestAppKey.PAIR.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void installationTokenIsFetchedWithTheJwtAndKeptUntilFiveMinutesBeforeItExpires() {
        github.answer("POST", "/app/installations/777/access_tokens", 201, "github/installation-token.json");

        assertThat(auth.installationToken().value()).isEqualTo("ghs_16C7e42F292c6912E7710c838347Ae178B4a");
        now.set(Instant.parse("2026-11-23T14:14:59Z"));
        auth.installationToken();
        assertThat(github.requests("POST", "/app/installations/777/access_tokens")).hasSize(1);

        now.set(Instant.parse("2026-11-23T14:15:00Z"));
        auth.installationToken();
        assertThat(github.requests("POST", "/app/installations/777/access_tokens")).hasSize(2);

        var request = github.requests("POST", "/app/installations/777/access_tokens").get(0);
        assertThat(request.getHeader("Authorization")).startsWith("Bearer ey");
        assertThat(request.getHeader("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(request.getHeader("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
    }

    @Test
    void invalidatedTokenIsFetchedAgain() {
        github.answer("POST", "/app/installations/777/access_tokens", 201, "github/installation-token.json");

        auth.installationToken();
        auth.invalidate();
        auth.installationToken();

        assertThat(github.requests("POST", "/app/installations/777/access_tokens")).hasSize(2);
    }

    @Test
    void jwtGitHubRefusesIsUnauthorized() {
        github.answer("POST", "/app/installations/777/access_tokens", 401, "github/error-401.json");

        assertThatThrownBy(auth::installationToken)
                .isInstanceOf(ForgeException.Unauthorized.class)
                .hasMessageContaining("installation token for installation 777")
                .hasMessageContaining("Bad credentials");
    }

    @Test
    void missingOrBrokenKeyIsAConfigurationErrorNamingTheParameter() {
        var noKey = new GitHubAppAuth(new ForgeHttp(HttpClient.newHttpClient(), github.baseUri(), clock, Forge.GITHUB), APP,
                name -> Optional.empty(), clock);
        assertThatThrownBy(noKey::installationToken)
                .isInstanceOf(ForgeException.Misconfigured.class)
                .hasMessage("GitHub App 4242: SSM parameter '/runner-scaler/github-app-key' not found");

        var badKey = new GitHubAppAuth(new ForgeHttp(HttpClient.newHttpClient(), github.baseUri(), clock, Forge.GITHUB), APP,
                name -> Optional.of("not a key"), clock);
        assertThatThrownBy(badKey::installationToken)
                .isInstanceOf(ForgeException.Misconfigured.class)
                .hasMessageContaining("/runner-scaler/github-app-key");
        assertThat(github.server().getAllServeEvents()).isEmpty();
    }

    private static JsonNode decode(String part) throws Exception {
        return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(part));
    }

}
