package io.runnerscaler.core.webhook;

import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.port.JobQueue;
import io.runnerscaler.core.port.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded payloads in functions/testkit (read by path: core cannot depend on testkit), the
 * documented test secrets, and fakes of our own ports.
 */
final class Fixtures {

    static final String GITLAB_TOKEN = "runner-scaler-test-gitlab-token";
    static final String GITHUB_SECRET = "runner-scaler-test-github-secret";
    static final String GITHUB_PREVIOUS_SECRET = "runner-scaler-previous-github-secret";

    private Fixtures() {
    }

    static byte[] github(String name) {
        return read("github/" + name + ".json");
    }

    static byte[] gitlab(String name) {
        return read("gitlab/" + name + ".json");
    }

    static String signature(String secret, byte[] body) {
        return SharedSecrets.signature(secret.getBytes(StandardCharsets.UTF_8), body);
    }

    static WebhookRequest githubRequest(String event, byte[] body, String signature) {
        var headers = new HashMap<String, String>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", "6c1d8f20-a94b-11f0-8000-000000000001");
        if (signature != null) {
            headers.put("X-Hub-Signature-256", signature);
        }
        return new WebhookRequest("POST", "/webhook/github", headers, body);
    }

    static WebhookRequest signedGithub(String event, byte[] body) {
        return githubRequest(event, body, signature(GITHUB_SECRET, body));
    }

    static WebhookRequest gitlabRequest(byte[] body, String token) {
        var headers = new HashMap<String, String>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Gitlab-Event", "Job Hook");
        headers.put("X-Gitlab-Event-UUID", "00000000-0000-4000-8000-000000000001");
        if (token != null) {
            headers.put("X-Gitlab-Token", token);
        }
        return new WebhookRequest("POST", "/webhook/gitlab", headers, body);
    }

    private static byte[] read(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("functions/testkit"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no functions/testkit above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readAllBytes(dir.resolve("functions/testkit/src/main/resources/payloads").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The queue port in memory; {@code down} makes it behave like an unreachable SQS. */
    static final class InMemoryJobQueue implements JobQueue {
        final List<JobEvent> events = new ArrayList<>();
        boolean down;

        @Override
        public synchronized void enqueue(JobEvent event) {
            if (down) {
                throw new QueueUnavailableException("queue is down", new IOException("connection refused"));
            }
            events.add(event);
        }
    }

    /** Metrics kept as name to dimensions, in order. */
    static final class RecordedMetrics implements Metrics {
        final List<Map.Entry<String, Map<String, String>>> counts = new ArrayList<>();

        @Override
        public synchronized void count(String name, Map<String, String> dimensions, double value) {
            counts.add(Map.entry(name, dimensions));
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }

        long count(String name) {
            return counts.stream().filter(e -> e.getKey().equals(name)).count();
        }
    }
}
