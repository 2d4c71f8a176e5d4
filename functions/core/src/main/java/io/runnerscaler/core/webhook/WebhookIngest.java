package io.runnerscaler.core.webhook;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobQueue;
import io.runnerscaler.core.port.Metrics;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The webhook use case: verify, parse, normalise, enqueue, answer. Bad input never yields a 5xx and
 * never reaches the queue; only an unreachable queue or secret store answers 503, so the failure shows
 * in the forge's delivery log and the forge retries.
 *
 * <p>Checks run cheapest first and nothing is parsed before it is verified: path (404), size (413),
 * content type (415), secret or signature (401), then the body (400, or 202 ignored), then the queue.
 */
public final class WebhookIngest {

    /** GitLab and GitHub both cap payloads well below this; anything larger is not theirs. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final String FORM = "application/x-www-form-urlencoded";

    private final Supplier<SharedSecrets> gitlabSecrets;
    private final Supplier<SharedSecrets> githubSecrets;
    private final GitLabJobHook gitlab = new GitLabJobHook();
    private final GitHubWorkflowJob github = new GitHubWorkflowJob();
    private final JobQueue queue;
    private final EventLog log;
    private final Metrics metrics;

    public WebhookIngest(Supplier<SharedSecrets> gitlabSecrets, Supplier<SharedSecrets> githubSecrets, JobQueue queue,
                         EventLog log, Metrics metrics) {
        this.gitlabSecrets = gitlabSecrets;
        this.githubSecrets = githubSecrets;
        this.queue = queue;
        this.log = log;
        this.metrics = metrics;
    }

    /** GitLab only: every GitHub delivery is refused until a GitHub secret is configured. */
    public WebhookIngest(Supplier<SharedSecrets> gitlabSecrets, JobQueue queue, EventLog log, Metrics metrics) {
        this(gitlabSecrets, () -> SharedSecrets.parse(""), queue, log, metrics);
    }

    public WebhookResponse handle(WebhookRequest request) {
        Route route = Route.of(request.path());
        WebhookResponse response;
        try {
            response = switch (route) {
                case GITLAB -> gitlab(request);
                case GITHUB -> github(request);
                case UNKNOWN -> reject(404, "not_found", "no webhook at '" + request.path()
                        + "'; use /webhook/gitlab or /webhook/github", null, request);
            };
        } catch (RuntimeException bug) {
            // Not expected for any input: the fuzz test hunts for these. Answer without details, log the type.
            metrics.count("WebhookErrors", Map.of("Error", bug.getClass().getSimpleName()));
            log.warn("webhook.failed", Map.of("path", String.valueOf(request.path()),
                    "error", bug.getClass().getName()));
            response = WebhookResponse.of(500, "error", "internal error; the forge will retry");
        }
        metrics.count("WebhookResponses", Map.of("Status", Integer.toString(response.status()),
                "Forge", route.forge == null ? "none" : route.forge.id()));
        return response;
    }

    private WebhookResponse gitlab(WebhookRequest request) {
        Optional<WebhookResponse> refused = sizeAndType(request, Forge.GITLAB);
        if (refused.isPresent()) {
            return refused.get();
        }
        String token = request.header("X-Gitlab-Token").orElse("");
        SharedSecrets secrets;
        try {
            secrets = gitlabSecrets.get();
        } catch (RuntimeException e) {
            return secretsUnavailable(Forge.GITLAB, e);
        }
        if (token.isEmpty()) {
            return reject(401, "unauthorized", "X-Gitlab-Token header is missing; set a secret token on the hook",
                    Forge.GITLAB, request);
        }
        if (secrets.isEmpty()) {
            return reject(401, "unauthorized", "no GitLab webhook secret is configured", Forge.GITLAB, request);
        }
        if (!secrets.matchesToken(token)) {
            return reject(401, "unauthorized", "X-Gitlab-Token does not match", Forge.GITLAB, request);
        }
        // X-Gitlab-Webhook-UUID names the hook, not the delivery, so it is no delivery id.
        String deliveryId = request.header("X-Gitlab-Event-UUID").orElseGet(() -> UUID.randomUUID().toString());
        return outcome(gitlab.parse(request.header("X-Gitlab-Event"), request.body(), deliveryId), Forge.GITLAB,
                deliveryId, request);
    }

    private WebhookResponse github(WebhookRequest request) {
        Optional<WebhookResponse> refused = sizeAndType(request, Forge.GITHUB);
        if (refused.isPresent()) {
            return refused.get();
        }
        String signature = request.header("X-Hub-Signature-256").orElse("");
        SharedSecrets secrets;
        try {
            secrets = githubSecrets.get();
        } catch (RuntimeException e) {
            return secretsUnavailable(Forge.GITHUB, e);
        }
        if (signature.isEmpty()) {
            return reject(401, "unauthorized", "X-Hub-Signature-256 header is missing; set a secret on the webhook",
                    Forge.GITHUB, request);
        }
        if (secrets.isEmpty()) {
            return reject(401, "unauthorized", "no GitHub webhook secret is configured", Forge.GITHUB, request);
        }
        if (!secrets.matchesSignature(request.body(), signature)) {
            return reject(401, "unauthorized", "X-Hub-Signature-256 does not match the body", Forge.GITHUB, request);
        }
        String deliveryId = request.header("X-GitHub-Delivery").orElseGet(() -> UUID.randomUUID().toString());
        Optional<String> event = request.header("X-GitHub-Event");
        if (event.isEmpty()) {
            return reject(400, "malformed", "X-GitHub-Event header is missing", Forge.GITHUB, request);
        }
        if (event.get().equals("ping")) {
            log.info("webhook.ping", fields(Forge.GITHUB, deliveryId, Map.of()));
            return WebhookResponse.of(200, "pong", "signature verified; send workflow_job events");
        }
        return outcome(github.parse(event.get(), request.body(), deliveryId), Forge.GITHUB, deliveryId, request);
    }

    private WebhookResponse outcome(ParsedDelivery parsed, Forge forge, String deliveryId, WebhookRequest request) {
        return switch (parsed) {
            case ParsedDelivery.Malformed m -> reject(400, "malformed", m.reason(), forge, request);
            case ParsedDelivery.Ignored i -> {
                log.info("webhook.ignored", fields(forge, deliveryId, Map.of("reason", i.reason())));
                yield WebhookResponse.of(202, "ignored", i.reason());
            }
            case ParsedDelivery.Job j -> enqueue(j.event());
        };
    }

    /** 413 and 415 come before the secret check: they tell the operator what to fix whatever the secret. */
    private Optional<WebhookResponse> sizeAndType(WebhookRequest request, Forge forge) {
        if (request.body().length > MAX_BODY_BYTES) {
            return Optional.of(reject(413, "too_large", "body of " + request.body().length
                    + " bytes exceeds 1 MiB", forge, request));
        }
        String type = request.header("Content-Type").map(WebhookIngest::mediaType).orElse("");
        if (type.isEmpty() || type.equals("application/json") || type.endsWith("+json")) {
            return Optional.empty();
        }
        String reason = type.equals(FORM)
                ? "content type " + FORM + " is not supported: in the webhook's settings choose content type "
                + "application/json"
                : "content type '" + type + "' is not supported: send application/json";
        return Optional.of(reject(415, "unsupported_media_type", reason, forge, request));
    }

    private static String mediaType(String header) {
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private WebhookResponse secretsUnavailable(Forge forge, RuntimeException e) {
        metrics.count("SecretsUnavailable", Map.of("Forge", forge.id()));
        log.warn("webhook.secrets_unavailable", Map.of("forge", forge.id(), "error", e.getClass().getSimpleName()));
        return WebhookResponse.of(503, "unavailable", "the webhook secret cannot be read; the forge will retry");
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
                Map.of("job", event.jobKey(), "status", event.status().name(), "project", event.project(),
                        "labels", event.labels().stream().sorted().toList())));
        return WebhookResponse.of(202, "accepted", event.jobKey() + " " + event.status().name().toLowerCase(Locale.ROOT));
    }

    private WebhookResponse reject(int status, String outcome, String reason, Forge forge, WebhookRequest request) {
        var f = new LinkedHashMap<String, Object>();
        f.put("status", status);
        f.put("reason", reason);
        f.put("path", String.valueOf(request.path()));
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

    /** Which forge a path is for. */
    private enum Route {
        GITLAB(Forge.GITLAB), GITHUB(Forge.GITHUB), UNKNOWN(null);

        final Forge forge;

        Route(Forge forge) {
            this.forge = forge;
        }

        static Route of(String path) {
            String p = path == null ? "" : path;
            if (p.endsWith("/webhook/gitlab")) {
                return GITLAB;
            }
            if (p.endsWith("/webhook/github")) {
                return GITHUB;
            }
            return UNKNOWN;
        }
    }
}
