package io.runnerscaler.core.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void printingASecretOrARecordHoldingItNeverShowsTheValue() {
        var secret = new Secret("glrt-very-secret");
        var binding = new RunnerBinding("i-0123456789abcdef0", "pool-i-0123456789abcdef0", "23", secret);

        assertThat(secret.toString()).doesNotContain("very-secret");
        assertThat(binding.toString()).doesNotContain("very-secret").contains("Secret[***]");
        assertThat(secret.value()).isEqualTo("glrt-very-secret");
    }
}
