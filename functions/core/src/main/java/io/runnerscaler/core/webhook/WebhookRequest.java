package io.runnerscaler.core.webhook;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request as the webhook sees it: the raw body bytes (what signatures are computed over) and
 * headers with lower-case names.
 */
public record WebhookRequest(String method, String path, Map<String, String> headers, byte[] body) {

    /** Names that differ only in case are one header, their values joined with commas. */
    public WebhookRequest {
        // A loop, not a collector: this runs on every cold start's first event (benchmarks/COLDSTART.md).
        var lowerCase = new HashMap<String, String>();
        for (var e : headers.entrySet()) {
            lowerCase.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + "," + b);
        }
        headers = Map.copyOf(lowerCase);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
}
