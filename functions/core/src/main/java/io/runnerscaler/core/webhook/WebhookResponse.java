package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;

/** What the webhook answers: a status and a short JSON body that says why. */
public record WebhookResponse(int status, String body) {

    /** Jackson's streaming writer: the webhook's path stays off data binding (benchmarks/COLDSTART.md). */
    private static final JsonFactory JSON = new JsonFactory();

    static WebhookResponse of(int status, String outcome, String reason) {
        var body = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(body)) {
            out.writeStartObject();
            out.writeStringField("outcome", outcome);
            out.writeStringField("reason", reason);
            out.writeEndObject();
        } catch (IOException e) {
            return new WebhookResponse(status, "{\"outcome\":\"" + outcome + "\"}");
        }
        return new WebhookResponse(status, body.toString());
    }
}
