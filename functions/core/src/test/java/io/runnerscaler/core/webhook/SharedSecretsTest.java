package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedSecretsTest {

    private static final byte[] BODY = "{\"action\":\"queued\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void eitherOfTwoSecretsMatchesDuringRotation() {
        SharedSecrets secrets = SharedSecrets.parse("new-secret\nold-secret\n");
        assertThat(secrets.matchesToken("new-secret")).isTrue();
        assertThat(secrets.matchesToken("old-secret")).isTrue();
        assertThat(secrets.matchesToken("other")).isFalse();
        assertThat(secrets.matchesSignature(BODY, Fixtures.signature("new-secret", BODY))).isTrue();
        assertThat(secrets.matchesSignature(BODY, Fixtures.signature("old-secret", BODY))).isTrue();
        assertThat(secrets.matchesSignature(BODY, Fixtures.signature("other", BODY))).isFalse();
    }

    @Test
    void signatureIsOverTheExactBytes() {
        SharedSecrets secrets = SharedSecrets.parse("s");
        String signature = Fixtures.signature("s", BODY);
        byte[] reformatted = "{\"action\": \"queued\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(secrets.matchesSignature(reformatted, signature)).isFalse();
    }

    @Test
    void knownVectorFromGitHubsDocumentation() {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", body "Hello, World!"
        SharedSecrets secrets = SharedSecrets.parse("It's a Secret to Everybody");
        assertThat(secrets.matchesSignature("Hello, World!".getBytes(StandardCharsets.UTF_8),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")).isTrue();
    }

    @Test
    void malformedSignatureHeadersDoNotMatch() {
        SharedSecrets secrets = SharedSecrets.parse("s");
        String good = Fixtures.signature("s", BODY);
        assertThat(secrets.matchesSignature(BODY, null)).isFalse();
        assertThat(secrets.matchesSignature(BODY, "")).isFalse();
        assertThat(secrets.matchesSignature(BODY, good.substring(7))).as("without sha256=").isFalse();
        assertThat(secrets.matchesSignature(BODY, "sha1=" + good.substring(7))).isFalse();
        assertThat(secrets.matchesSignature(BODY, good.substring(0, good.length() - 1))).isFalse();
        assertThat(secrets.matchesSignature(BODY, good + "0")).isFalse();
        assertThat(secrets.matchesSignature(BODY, good.substring(0, good.length() - 1) + "z")).isFalse();
        assertThat(secrets.matchesSignature(BODY, good.toUpperCase().replace("SHA256=", "sha256="))).isTrue();
    }

    @Test
    void noSecretsMatchNothing() {
        SharedSecrets none = SharedSecrets.parse(" \n \n");
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.matchesToken("")).isFalse();
        assertThat(none.matchesSignature(BODY, Fixtures.signature("x", BODY))).isFalse();
    }

    @Test
    void printingNeverShowsTheValues() {
        assertThat(SharedSecrets.parse("top-secret").toString()).doesNotContain("top-secret");
    }
}
