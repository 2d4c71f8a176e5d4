package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.port.EventLog;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Throws arbitrary and mutated deliveries at parsing and verification. Whatever arrives: no exception
 * escapes, the answer is one of the documented statuses (never a 5xx while the queue is up), and nothing
 * is enqueued unless its signature or token was valid for the exact bytes.
 *
 * <p>CI runs jqwik's default 1,000 tries per property; a long run is
 * {@code mvn -pl functions/core test -Dtest=WebhookFuzzTest -Djqwik.tries.default=100000}.
 */
class WebhookFuzzTest {

    private static final Set<Integer> ANSWERS = Set.of(200, 202, 400, 401, 404, 413, 415);
    private static final List<String> FIXTURES = List.of("workflow_job-waiting", "workflow_job-queued",
            "workflow_job-in_progress", "workflow_job-completed-success", "workflow_job-completed-failure",
            "workflow_job-completed-cancelled", "workflow_job-completed-skipped", "ping");
    private static final List<String> GITLAB_FIXTURES = List.of("job-created", "job-pending", "job-running",
            "job-success", "job-failed", "job-canceled");

    /** How a fuzzed delivery is signed. */
    enum Signing { VALID, WRONG_SECRET, GARBAGE, NONE }

    record Delivery(String path, String event, String contentType, byte[] body, Signing signing, String garbage) {
    }

    @Property
    @StatisticsReport(format = net.jqwik.api.statistics.Histogram.class)
    void githubDeliveriesNeverEscapeAndOnlyVerifiedBodiesAreEnqueued(@ForAll("github") Delivery d) {
        var queue = new Fixtures.InMemoryJobQueue();
        var ingest = new WebhookIngest(() -> SharedSecrets.parse(Fixtures.GITLAB_TOKEN),
                () -> SharedSecrets.parse(Fixtures.GITHUB_SECRET), queue, EventLog.NONE, new Fixtures.RecordedMetrics());
        var headers = new HashMap<String, String>();
        if (d.event() != null) {
            headers.put("X-GitHub-Event", d.event());
        }
        if (d.contentType() != null) {
            headers.put("Content-Type", d.contentType());
        }
        switch (d.signing()) {
            case VALID -> headers.put("X-Hub-Signature-256", Fixtures.signature(Fixtures.GITHUB_SECRET, d.body()));
            case WRONG_SECRET -> headers.put("X-Hub-Signature-256", Fixtures.signature("not-the-secret", d.body()));
            case GARBAGE -> headers.put("X-Hub-Signature-256", d.garbage());
            case NONE -> { }
        }
        var response = ingest.handle(new WebhookRequest("POST", d.path(), headers, d.body()));

        Statistics.collect(response.status(), queue.events.isEmpty() ? "-" : "enqueued");
        assertThat(response.status()).isIn(ANSWERS);
        assertThat(response.body()).startsWith("{\"outcome\":");
        if (d.signing() != Signing.VALID) {
            assertThat(queue.events).isEmpty();
        }
        if (!queue.events.isEmpty()) {
            assertThat(response.status()).isEqualTo(202);
            assertThat(queue.events).hasSize(1);
        }
        // The generator must reach every branch, or the property proves little.
        Statistics.coverage(c -> {
            c.check(202, "enqueued").percentage(p -> p > 1);
            c.check(400, "-").percentage(p -> p > 5);
            c.check(401, "-").percentage(p -> p > 5);
        });
    }

    @Property
    void gitlabDeliveriesNeverEscapeAndOnlyTokenedBodiesAreEnqueued(@ForAll("gitlab") Delivery d) {
        var queue = new Fixtures.InMemoryJobQueue();
        var ingest = new WebhookIngest(() -> SharedSecrets.parse(Fixtures.GITLAB_TOKEN),
                () -> SharedSecrets.parse(Fixtures.GITHUB_SECRET), queue, EventLog.NONE, new Fixtures.RecordedMetrics());
        var headers = new HashMap<String, String>();
        if (d.event() != null) {
            headers.put("X-Gitlab-Event", d.event());
        }
        if (d.contentType() != null) {
            headers.put("Content-Type", d.contentType());
        }
        switch (d.signing()) {
            case VALID -> headers.put("X-Gitlab-Token", Fixtures.GITLAB_TOKEN);
            case WRONG_SECRET -> headers.put("X-Gitlab-Token", Fixtures.GITHUB_SECRET);
            case GARBAGE -> headers.put("X-Gitlab-Token", d.garbage());
            case NONE -> { }
        }
        var response = ingest.handle(new WebhookRequest("POST", d.path(), headers, d.body()));

        Statistics.collect(response.status(), queue.events.isEmpty() ? "-" : "enqueued");
        assertThat(response.status()).isIn(ANSWERS);
        if (d.signing() != Signing.VALID) {
            assertThat(queue.events).isEmpty();
        }
        Statistics.coverage(c -> {
            c.check(202, "enqueued").percentage(p -> p > 1);
            c.check(400, "-").percentage(p -> p > 1);
            c.check(401, "-").percentage(p -> p > 5);
        });
    }

    @Provide
    Arbitrary<Delivery> github() {
        return deliveries("/webhook/github", FIXTURES.stream().map(Fixtures::github).toList(),
                Arbitraries.of("workflow_job", "ping", "push", "check_run", "").injectNull(0.05));
    }

    @Provide
    Arbitrary<Delivery> gitlab() {
        return deliveries("/webhook/gitlab", GITLAB_FIXTURES.stream().map(Fixtures::gitlab).toList(),
                Arbitraries.of("Job Hook", "Pipeline Hook", "System Hook", "").injectNull(0.2));
    }

    private static Arbitrary<Delivery> deliveries(String path, List<byte[]> seeds, Arbitrary<String> events) {
        Arbitrary<String> paths = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just(path)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(30).injectNull(0.1)));
        Arbitrary<String> types = Arbitraries.of("application/json", "application/json; charset=utf-8",
                "application/x-www-form-urlencoded", "text/plain", "APPLICATION/JSON", ";", "")
                .injectNull(0.2);
        Arbitrary<Signing> signings = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Signing.VALID)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Signing.WRONG_SECRET)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Signing.GARBAGE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Signing.NONE)));
        Arbitrary<String> garbage = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().withChars("0123456789abcdefABCDEFxz").ofLength(64).map(s -> "sha256=" + s));
        return Combinators.combine(paths, events, types, bodies(seeds), signings, garbage).as(Delivery::new);
    }

    /** Mostly the documented payloads with bytes flipped, cut, replaced or values swapped; some pure noise. */
    private static Arbitrary<byte[]> bodies(List<byte[]> seeds) {
        Arbitrary<byte[]> seed = Arbitraries.of(seeds);
        Arbitrary<byte[]> flipped = Combinators.combine(seed, Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.bytes()).as((s, at, b) -> {
                    byte[] copy = s.clone();
                    copy[at % copy.length] = b;
                    return copy;
                });
        Arbitrary<byte[]> cut = Combinators.combine(seed, Arbitraries.integers().between(0, 1 << 20))
                .as((s, at) -> java.util.Arrays.copyOf(s, at % (s.length + 1)));
        Arbitrary<byte[]> swapped = Combinators.combine(seed, Arbitraries.of(
                        "\"30433642001\"", "null", "[]", "{}", "1.5", "-1", "true", "\"\"", "99999999999999999999999",
                        "\"2026-02-30T25:61:00Z\"", "\"\\u0000\""),
                Arbitraries.of("30433642001", "\"queued\"", "\"completed\"", "\"success\"", "\"docker\"",
                        "\"runner-scaler-demo/app\"", "\"2026-11-23T09:00:00Z\"", "1977", "\"pending\"",
                        "\"gitlab-org/gitlab-test\"", "\"build\"", "56781234"))
                .as((s, value, target) -> new String(s, StandardCharsets.UTF_8).replace(target, value)
                        .getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
        Arbitrary<byte[]> json = Arbitraries.strings().withChars("{}[]\":,0123456789.-eE truefalsnul\\")
                .ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, seed),
                net.jqwik.api.Tuple.of(4, flipped),
                net.jqwik.api.Tuple.of(2, cut),
                net.jqwik.api.Tuple.of(4, swapped),
                net.jqwik.api.Tuple.of(1, noise),
                net.jqwik.api.Tuple.of(1, json));
    }
}
