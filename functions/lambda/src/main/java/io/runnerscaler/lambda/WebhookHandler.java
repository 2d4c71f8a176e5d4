package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.runnerscaler.core.webhook.WebhookIngest;
import io.runnerscaler.core.webhook.WebhookRequest;
import io.runnerscaler.core.webhook.WebhookResponse;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The {@code webhook} function: API Gateway HTTP API (payload format 2.0) in, 2xx/4xx/503 out. */
@Named("webhook")
@Singleton
public class WebhookHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final WebhookIngest ingest;

    @Inject
    public WebhookHandler(App app) {
        this(app.webhook());
    }

    public WebhookHandler(WebhookIngest ingest) {
        this.ingest = ingest;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        WebhookResponse response = ingest.handle(request(event));
        return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status())
                .withHeaders(Map.of("content-type", "application/json")).withBody(response.body()).build();
    }

    /** The raw body as the forge sent it: signatures are verified over these bytes. */
    static WebhookRequest request(APIGatewayV2HTTPEvent event) {
        String body = event.getBody() == null ? "" : event.getBody();
        byte[] raw;
        try {
            raw = event.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // API Gateway always sends valid base64; anything else cannot verify and gets a 401 or 400.
            raw = new byte[0];
        }
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? "POST"
                : event.getRequestContext().getHttp().getMethod();
        return new WebhookRequest(method, event.getRawPath(), event.getHeaders() == null ? Map.of()
                : withoutNullValues(event.getHeaders()), raw);
    }

    private static Map<String, String> withoutNullValues(Map<String, String> headers) {
        var copy = new java.util.HashMap<String, String>();
        headers.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
