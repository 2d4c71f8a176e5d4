package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the webhook answers: a status and a short JSON body that says why. */
public record WebhookResponse(int status, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static WebhookResponse of(int status, String outcome, String reason) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("outcome", outcome);
        body.put("reason", reason);
        try {
            return new WebhookResponse(status, JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return new WebhookResponse(status, "{\"outcome\":\"" + outcome + "\"}");
        }
    }
}
