package io.runnerscaler.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.core.runner.Secret;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every App quota does: a shared token until it expires, a pause that only lengthens, and a per-minute budget
 * that never gives more points than the limit, partly when only part fits. Run over the in-memory quota
 * ({@code InMemoryAppQuotaTest}) and over DynamoDB on the emulator ({@code DynamoAppQuotaIT}).
 */
public abstract class AppQuotaContract {

    protected static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    protected abstract AppQuota quota();

    @Test
    void aStoredTokenIsSharedUntilItExpiresAndGoneOnceDropped() {
        AppQuota quota = quota();
        assertThat(quota.token("github-1", T0)).isEmpty();
        quota.putToken("github-1", new AppQuota.Token(new Secret("ghs_shared"), T0.plusSeconds(3600)));

        assertThat(quota.token("github-1", T0.plusSeconds(10))).get().satisfies(t -> {
            assertThat(t.token().value()).isEqualTo("ghs_shared");
            assertThat(t.expiresAt()).isEqualTo(T0.plusSeconds(3600));
            assertThat(t.toString()).doesNotContain("ghs_shared");
        });
        assertThat(quota.token("github-2", T0)).as("another App's").isEmpty();
        assertThat(quota.token("github-1", T0.plusSeconds(3600))).as("expired").isEmpty();

        quota.dropToken("github-1");
        assertThat(quota.token("github-1", T0)).isEmpty();
    }

    @Test
    void aPauseLastsUntilItsEndAndOnlyLengthens() {
        AppQuota quota = quota();
        quota.pauseUntil("github-1", T0.plusSeconds(60));
        quota.pauseUntil("github-1", T0.plusSeconds(30));

        assertThat(quota.pausedUntil("github-1", T0)).contains(T0.plusSeconds(60));
        assertThat(quota.pausedUntil("github-2", T0)).isEmpty();
        assertThat(quota.pausedUntil("github-1", T0.plusSeconds(60))).isEmpty();

        quota.pauseUntil("github-1", T0.plusSeconds(900));
        assertThat(quota.pausedUntil("github-1", T0.plusSeconds(61))).contains(T0.plusSeconds(900));
    }

    @Test
    void aMinutesBudgetGivesWhatFitsAndANewMinuteStartsAfresh() {
        AppQuota quota = quota();
        assertThat(quota.spend("github-1", "jit", 5, 150, 900, T0)).isEqualTo(150);
        assertThat(quota.spend("github-1", "jit", 5, 50, 900, T0.plusSeconds(30))).as("30 of 50 fit").isEqualTo(30);
        assertThat(quota.spend("github-1", "jit", 5, 1, 900, T0.plusSeconds(59))).isZero();
        assertThat(quota.spend("github-1", "other", 5, 1, 900, T0.plusSeconds(59))).as("another endpoint").isEqualTo(1);

        assertThat(quota.spend("github-1", "jit", 5, 200, 900, T0.plusSeconds(60))).isEqualTo(180);
    }
}
