package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.runnerscaler.core.port.EventLog;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of webhook verification and parsing. The input's first three bytes
 * choose forge and path, how it is signed, and the headers; the rest is the body. Seeds are the
 * documented payloads ({@code WebhookJazzerFuzzTestInputs/}).
 *
 * <p>Without {@code JAZZER_FUZZ} (CI) this replays the seeds and any crash files found earlier; with
 * {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration} (see benchmarks/WEBHOOK.md for the command).
 */
class WebhookJazzerFuzzTest {

    private static final Set<Integer> ANSWERS = Set.of(200, 202, 400, 401, 404, 413, 415);
    private static final List<String> CONTENT_TYPES = Arrays.asList("application/json", null,
            "application/x-www-form-urlencoded", "application/json; charset=utf-8", "text/plain", "");
    private static final List<String> GITHUB_EVENTS = Arrays.asList("workflow_job", "ping", "push", null);
    private static final List<String> GITLAB_EVENTS = Arrays.asList("Job Hook", null, "Pipeline Hook", "");

    @FuzzTest(maxDuration = "5m")
    void deliveriesNeverEscapeAndOnlyVerifiedBodiesAreEnqueued(byte[] input) {
        if (input.length < 3) {
            return;
        }
        int route = input[0] & 0x03;
        int signing = input[1] & 0x03;
        int choice = input[2] & 0xff;
        byte[] body = Arrays.copyOfRange(input, 3, input.length);
        boolean github = route != 1;
        String path = switch (route) {
            case 0, 2 -> "/webhook/github";
            case 1 -> "/webhook/gitlab";
            default -> "/webhook/" + new String(body, 0, Math.min(body.length, 8), StandardCharsets.ISO_8859_1);
        };
        var headers = new HashMap<String, String>();
        String type = CONTENT_TYPES.get(choice % CONTENT_TYPES.size());
        if (type != null) {
            headers.put("Content-Type", type);
        }
        String event = (github ? GITHUB_EVENTS : GITLAB_EVENTS).get((choice / 8) % 4);
        if (event != null) {
            headers.put(github ? "X-GitHub-Event" : "X-Gitlab-Event", event);
        }
        boolean valid = signing == 0;
        if (github) {
            switch (signing) {
                case 0 -> headers.put("X-Hub-Signature-256", Fixtures.signature(Fixtures.GITHUB_SECRET, body));
                case 1 -> headers.put("X-Hub-Signature-256", Fixtures.signature("not-the-secret", body));
                case 2 -> headers.put("X-Hub-Signature-256", "sha256=" + new String(body, 0, Math.min(body.length, 64),
                        StandardCharsets.ISO_8859_1));
                default -> { }
            }
        } else {
            switch (signing) {
                case 0 -> headers.put("X-Gitlab-Token", Fixtures.GITLAB_TOKEN);
                case 1 -> headers.put("X-Gitlab-Token", Fixtures.GITHUB_SECRET);
                case 2 -> headers.put("X-Gitlab-Token", new String(body, 0, Math.min(body.length, 40),
                        StandardCharsets.ISO_8859_1));
                default -> { }
            }
        }
        var queue = new Fixtures.InMemoryJobQueue();
        var ingest = new WebhookIngest(() -> SharedSecrets.parse(Fixtures.GITLAB_TOKEN),
                () -> SharedSecrets.parse(Fixtures.GITHUB_SECRET), queue, EventLog.NONE, new Fixtures.RecordedMetrics());

        var response = ingest.handle(new WebhookRequest("POST", path, headers, body));

        assertThat(response.status()).isIn(ANSWERS);
        if (!valid) {
            assertThat(queue.events).isEmpty();
        }
        assertThat(queue.events).hasSizeLessThanOrEqualTo(1);
    }
}
