package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.runnerscaler.core.json.JsonValue;
import io.runnerscaler.core.webhook.WebhookIngest;
import io.runnerscaler.core.webhook.WebhookRequest;
import io.runnerscaler.core.webhook.WebhookResponse;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code webhook} function: API Gateway HTTP API (payload format 2.0) in, 2xx/4xx/503 out.
 *
 * <p>Lambda hands it the event as a stream, read with Jackson's streaming parser into a {@link JsonValue}:
 * binding it to {@link APIGatewayV2HTTPEvent} (what Quarkus does for a typed {@code RequestHandler}) builds
 * Jackson's bean deserialisers for the event's dozen nested classes at init, about 700 classes the webhook's cold
 * start would load for five fields (BENCHMARKS.md, *Webhook cold start beside Node*), and even a data-bound tree
 * is about 500 (benchmarks/COLDSTART.md). The typed {@link #handleRequest(APIGatewayV2HTTPEvent,
 * Context)} is for in-process callers (the CLI, tests, benchmarks); both take the same fields.
 */
@Named("webhook")
@Singleton
public class WebhookHandler implements RequestStreamHandler {

    private static final JsonFactory JSON = new JsonFactory();

    private final WebhookIngest ingest;

    @Inject
    public WebhookHandler(App app) {
        this(app.webhook());
    }

    public WebhookHandler(WebhookIngest ingest) {
        this.ingest = ingest;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonValue event;
        try {
            event = JsonValue.read(JSON, input);
        } catch (JsonProcessingException e) {
            event = JsonValue.MISSING;
        }
        WebhookResponse response = event.isObject() ? ingest.handle(request(event))
                : new WebhookResponse(400, "{\"outcome\":\"malformed\",\"reason\":\"the Lambda event is not an API "
                + "Gateway HTTP API event (payload format 2.0)\"}");
        respond(response, output);
    }

    /**
     * Writes the answer in the HTTP API's response format 2.0 (statusCode, headers, body, isBase64Encoded:
     * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
     */
    static void respond(WebhookResponse response, OutputStream output) throws IOException {
        try (JsonGenerator out = JSON.createGenerator(output)) {
            out.writeStartObject();
            out.writeNumberField("statusCode", response.status());
            out.writeObjectFieldStart("headers");
            out.writeStringField("content-type", "application/json");
            out.writeEndObject();
            out.writeStringField("body", response.body());
            out.writeBooleanField("isBase64Encoded", false);
            out.writeEndObject();
        }
    }

    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        WebhookResponse response = ingest.handle(request(event));
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status())
                .withHeaders(Map.of("content-type", "application/json")).withBody(response.body()).build();
    }

    /** The raw body as the forge sent it: signatures are verified over these bytes. */
    static WebhookRequest request(APIGatewayV2HTTPEvent event) {
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? null
                : event.getRequestContext().getHttp().getMethod();
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> {
                if (k != null && v != null) {
                    headers.put(k, v);
                }
            });
        }
        return request(method, event.getRawPath(), headers, event.getBody(), event.getIsBase64Encoded());
    }

    /** The same from the event as JSON; fields of another type than the format's are taken as absent. */
    static WebhookRequest request(JsonValue event) {
        Map<String, String> headers = new HashMap<>();
        for (var h : event.path("headers").properties().entrySet()) {
            if (h.getValue().isTextual()) {
                headers.put(h.getKey(), h.getValue().textValue());
            }
        }
        return request(event.path("requestContext").path("http").path("method").textValue(),
                event.path("rawPath").textValue(), headers, event.path("body").textValue(),
                event.path("isBase64Encoded").asBoolean(false));
    }

    /** The same from a data-bound tree of the event (in-process callers that hold one). */
    static WebhookRequest request(JsonNode event) {
        try {
            return request(JsonValue.read(event.traverse()));
        } catch (IOException notFromATree) {
            throw new UncheckedIOException(notFromATree);
        }
    }

    private static WebhookRequest request(String method, String path, Map<String, String> headers, String body,
                                          boolean base64) {
        String text = body == null ? "" : body;
        byte[] raw;
        try {
            raw = base64 ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // API Gateway always sends valid base64; anything else cannot verify and gets a 401 or 400.
            raw = new byte[0];
        }
        return new WebhookRequest(method == null ? "POST" : method, path, headers, raw);
    }
}
