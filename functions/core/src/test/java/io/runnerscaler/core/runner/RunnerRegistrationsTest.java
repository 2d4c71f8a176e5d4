package io.runnerscaler.core.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunnerRegistrationsTest {

    static final String INSTANCE = "i-0123456789abcdef0";
    static final Instant NOW = Instant.parse("2026-11-23T13:20:00Z");

    private final FakeRegistry github = new FakeRegistry(Forge.GITHUB);
    private final FakeRegistry gitlab = new FakeRegistry(Forge.GITLAB);
    private final MemorySecrets secrets = new MemorySecrets();
    private final List<String> events = new ArrayList<>();
    private final EventLog log = new EventLog() {
        @Override
        public void info(String event, Map<String, ?> fields) {
            events.add(event + " " + fields);
        }

        @Override
        public void warn(String event, Map<String, ?> fields) {
            events.add(event + " " + fields);
        }
    };
    private final RunnerRegistrations registrations = new RunnerRegistrations(List.of(github, gitlab), secrets, log);
    private final PoolConfig githubPool = UserDataTest.githubPool();
    private final PoolConfig gitlabPool = UserDataTest.gitlabPool(1);

    @Test
    void githubMachineGetsItsJitConfigStoredForItAlone() {
        var handOff = registrations.handOff(githubPool, INSTANCE, NOW.plusSeconds(600));

        assertThat(handOff).isEqualTo(new RunnerRegistrations.HandOff.Stored("linux-x64-" + INSTANCE, "23"));
        assertThat(secrets.take(INSTANCE, NOW)).contains(new Secret("jit-for-" + INSTANCE));
        assertThat(events).singleElement().asString().startsWith("runner.prepared").doesNotContain("jit-for-");
    }

    @Test
    void gitlabMachineNeedsNothingStored() {
        assertThat(registrations.handOff(gitlabPool, INSTANCE, NOW.plusSeconds(600)))
                .isInstanceOf(RunnerRegistrations.HandOff.SharedToken.class);
        assertThat(secrets.items).isEmpty();
    }

    @Test
    void forgeFailureWhilePreparingIsAnOutcomeNotAnException() {
        github.failWith = new ForgeException.RateLimited("GitHub generate-jitconfig: 429", 429,
                Duration.ofSeconds(30));

        var handOff = registrations.handOff(githubPool, INSTANCE, NOW.plusSeconds(600));

        assertThat(handOff).isEqualTo(new RunnerRegistrations.HandOff.Failed("GitHub generate-jitconfig: 429", true));
        assertThat(secrets.items).isEmpty();
        assertThat(events).singleElement().asString().contains("runner.prepare_failed", "RATE_LIMITED");
    }

    @Test
    void secretThatCannotBeStoredTakesItsRegistrationBackAndFailsRetryably() {
        secrets.failWith = new IllegalStateException("table gone, item {secret=jit-for-" + INSTANCE + "}");

        var handOff = registrations.handOff(githubPool, INSTANCE, NOW.plusSeconds(600));

        assertThat(handOff).isEqualTo(new RunnerRegistrations.HandOff.Failed(
                "bootstrap secret not stored (IllegalStateException)", true));
        assertThat(github.calls).containsExactly("prepare", "deregister");
        assertThat(events).singleElement().asString().contains("runner.prepare_failed", "SECRET_NOT_STORED",
                "registration=removed").doesNotContain("jit-for-");
    }

    @Test
    void idleMachineIsDeregisteredAndItsUnreadSecretDiscardedBeforeTermination() {
        registrations.handOff(githubPool, INSTANCE, NOW.plusSeconds(600));

        var release = registrations.release(githubPool, INSTANCE);

        assertThat(release.mayTerminate()).isTrue();
        assertThat(github.calls).containsExactly("prepare", "isBusy", "deregister");
        assertThat(secrets.items).isEmpty();
    }

    @Test
    void busyMachineIsNeitherDeregisteredNorReleased() {
        github.busy = true;

        var release = registrations.release(githubPool, INSTANCE);

        assertThat(release).isInstanceOf(RunnerRegistrations.Release.Busy.class);
        assertThat(release.mayTerminate()).isFalse();
        assertThat(github.calls).containsExactly("isBusy");
    }

    @Test
    void machineThatTookAJobBetweenCheckAndDeregisterIsKept() {
        github.deregisterFails = new ForgeException.Rejected("GitHub delete runner 23: 422 still running a job", 422);

        assertThat(registrations.release(githubPool, INSTANCE)).isInstanceOf(RunnerRegistrations.Release.Busy.class);
    }

    @Test
    void forgeOutageMeansTryAgainLaterNeverTerminateUnchecked() {
        gitlab.failWith = new ForgeException.Unavailable("GitLab list running jobs: 502", 502, null);

        var release = registrations.release(gitlabPool, INSTANCE);

        assertThat(release).isEqualTo(new RunnerRegistrations.Release.RetryLater(Optional.empty(),
                "GitLab list running jobs: 502"));
        assertThat(release.mayTerminate()).isFalse();
    }

    @Test
    void rateLimitCarriesTheForgesRetryAfter() {
        gitlab.failWith = new ForgeException.RateLimited("GitLab: 429", 429, Duration.ofSeconds(30));

        assertThat(registrations.release(gitlabPool, INSTANCE))
                .isEqualTo(new RunnerRegistrations.Release.RetryLater(Optional.of(Duration.ofSeconds(30)), "GitLab: 429"));
    }

    @Test
    void configurationProblemKeepsTheMachineAndSaysWhy() {
        gitlab.failWith = new ForgeException.Unauthorized("GitLab list running jobs: 401 (check the token in SSM)");

        var release = registrations.release(gitlabPool, INSTANCE);

        assertThat(release).isInstanceOf(RunnerRegistrations.Release.Failed.class);
        assertThat(release.mayTerminate()).isFalse();
        assertThat(events).singleElement().asString().contains("runner.release_failed", "UNAUTHORIZED");
    }

    @Test
    void releasingTwiceIsHarmless() {
        assertThat(registrations.release(gitlabPool, INSTANCE).mayTerminate()).isTrue();
        assertThat(registrations.release(gitlabPool, INSTANCE).mayTerminate()).isTrue();
    }

    static final class FakeRegistry implements RunnerRegistry {
        final Forge forge;
        final List<String> calls = new ArrayList<>();
        boolean busy;
        ForgeException failWith;
        ForgeException deregisterFails;

        FakeRegistry(Forge forge) {
            this.forge = forge;
        }

        @Override
        public Forge forge() {
            return forge;
        }

        @Override
        public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
            calls.add("prepare");
            fail();
            if (forge == Forge.GITLAB) {
                return Optional.empty();
            }
            var identity = new RunnerIdentity(pool.name(), instanceId);
            return Optional.of(new RunnerBinding(instanceId, identity.githubRunnerName(), "23",
                    new Secret("jit-for-" + instanceId)));
        }

        @Override
        public boolean isBusy(PoolConfig pool, String instanceId) {
            calls.add("isBusy");
            fail();
            return busy;
        }

        @Override
        public void deregister(PoolConfig pool, String instanceId) {
            calls.add("deregister");
            if (deregisterFails != null) {
                throw deregisterFails;
            }
        }

        private void fail() {
            if (failWith != null) {
                throw failWith;
            }
        }
    }

    static final class MemorySecrets implements BootstrapSecrets {
        final Map<String, Map.Entry<Secret, Instant>> items = new HashMap<>();
        RuntimeException failWith;

        @Override
        public void put(String instanceId, Secret secret, Instant expiresAt) {
            if (failWith != null) {
                throw failWith;
            }
            items.put(instanceId, Map.entry(secret, expiresAt));
        }

        @Override
        public Optional<Secret> take(String instanceId, Instant now) {
            var item = items.remove(instanceId);
            return item == null || !now.isBefore(item.getValue()) ? Optional.empty() : Optional.of(item.getKey());
        }

        @Override
        public void discard(String instanceId) {
            items.remove(instanceId);
        }
    }
}
