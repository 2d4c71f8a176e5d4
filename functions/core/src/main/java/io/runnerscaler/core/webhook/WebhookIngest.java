package io.runnerscaler.core.webhook;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobQueue;
import io.runnerscaler.core.port.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The webhook use case: verify, parse, normalise, enqueue, answer. Bad input never yields a 5xx and
 * never reaches the queue; only an unreachable queue answers 503, so the failure shows in the forge's
 * delivery log.
 */
public final class WebhookIngest {

    /** GitLab and GitHub both cap payloads well below this; anything larger is not theirs. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private final Supplier<SharedSecrets> gitlabSecrets;
    private final GitLabJobHook gitlab = new GitLabJobHook();
    private final JobQueue queue;
    private final EventLog log;
    private final Metrics metrics;

    public WebhookIngest(Supplier<SharedSecrets> gitlabSecrets, JobQueue queue, EventLog log, Metrics metrics) {
        this.gitlabSecrets = gitlabSecrets;
        this.queue = queue;
        this.log = log;
        this.metrics = metrics;
    }

    public WebhookResponse handle(WebhookRequest request) {
        WebhookResponse response = route(request);
        metrics.count("WebhookResponses", Map.of("Status", Integer.toString(response.status())));
        return response;
    }

    private WebhookResponse route(WebhookRequest request) {
        String path = request.path() == null ? "" : request.path();
        if (path.endsWith("/webhook/gitlab")) {
            return gitlab(request);
        }
        return reject(404, "not_found", "no webhook at '" + path + "'; use /webhook/gitlab or /webhook/github",
                null, request);
    }

    private WebhookResponse gitlab(WebhookRequest request) {
        if (request.body().length > MAX_BODY_BYTES) {
            return reject(413, "too_large", "body of " + request.body().length + " bytes exceeds 1 MiB", Forge.GITLAB,
                    request);
        }
        String token = request.header("X-Gitlab-Token").orElse("");
        SharedSecrets secrets = gitlabSecrets.get();
        if (token.isEmpty() || secrets.isEmpty() || !secrets.matchesToken(token)) {
            return reject(401, "unauthorized",
                    token.isEmpty() ? "X-Gitlab-Token header is missing" : "X-Gitlab-Token does not match",
                    Forge.GITLAB, request);
        }
        String deliveryId = request.header("X-Gitlab-Event-UUID")
                .or(() -> request.header("X-Gitlab-Webhook-UUID"))
                .orElseGet(() -> UUID.randomUUID().toString());
        ParsedDelivery parsed = gitlab.parse(request.header("X-Gitlab-Event"), request.body(), deliveryId);
        return switch (parsed) {
            case ParsedDelivery.Malformed m -> reject(400, "malformed", m.reason(), Forge.GITLAB, request);
            case ParsedDelivery.Ignored i -> {
                log.info("webhook.ignored", fields(Forge.GITLAB, deliveryId, Map.of("reason", i.reason())));
                yield WebhookResponse.of(202, "ignored", i.reason());
            }
            case ParsedDelivery.Job j -> enqueue(j.event());
        };
    }

    private WebhookResponse enqueue(JobEvent event) {
        try {
            queue.enqueue(event);
        } catch (JobQueue.QueueUnavailableException e) {
            metrics.count("QueueUnavailable", Map.of("Forge", event.forge().id()));
            log.warn("webhook.queue_unavailable", fields(event.forge(), event.deliveryId(),
                    Map.of("job", event.jobKey(), "error", e.getMessage())));
            return WebhookResponse.of(503, "unavailable", "the job queue cannot be reached; the forge will retry");
        }
        log.info("webhook.accepted", fields(event.forge(), event.deliveryId(),
                Map.of("job", event.jobKey(), "status", event.status().name(), "project", event.project())));
        return WebhookResponse.of(202, "accepted", event.jobKey() + " " + event.status().name().toLowerCase());
    }

    private WebhookResponse reject(int status, String outcome, String reason, Forge forge, WebhookRequest request) {
        var f = new LinkedHashMap<String, Object>();
        f.put("status", status);
        f.put("reason", reason);
        f.put("path", request.path());
        if (forge != null) {
            f.put("forge", forge.id());
        }
        log.warn("webhook.rejected", f);
        return WebhookResponse.of(status, outcome, reason);
    }

    private static Map<String, Object> fields(Forge forge, String deliveryId, Map<String, ?> more) {
        var f = new LinkedHashMap<String, Object>();
        f.put("forge", forge.id());
        f.put("delivery", deliveryId);
        f.putAll(more);
        return f;
    }
}
