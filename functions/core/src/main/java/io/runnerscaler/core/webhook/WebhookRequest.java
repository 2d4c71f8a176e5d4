package io.runnerscaler.core.webhook;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An HTTP request as the webhook sees it: the raw body bytes (what signatures are computed over) and
 * headers with lower-case names.
 */
public record WebhookRequest(String method, String path, Map<String, String> headers, byte[] body) {

    public WebhookRequest {
        headers = headers.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue,
                        (a, b) -> a + "," + b));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
}
