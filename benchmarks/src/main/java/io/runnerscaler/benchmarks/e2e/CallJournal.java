package io.runnerscaler.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.testkit.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every AWS API call that went through a {@link FaultProxy}, read from its request journal and named
 * {@code Service Action}: the service from the SigV4 credential scope, the action from {@code X-Amz-Target}
 * (JSON protocols: DynamoDB, SQS, SSM) or the {@code Action} form field (EC2's query protocol).
 * DescribeInstances is split by what it asked for: filters, instance ids, or everything.
 */
final class CallJournal {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");
    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");

    private final FaultProxy proxy;
    private final HttpClient http = HttpClient.newHttpClient();

    CallJournal(FaultProxy proxy) {
        this.proxy = proxy;
    }

    /**
     * Calls of one name: how many, the milliseconds they took in all as the proxy saw them, and for DynamoDB
     * the items they read: a Query's and Scan's {@code ScannedCount} (what DynamoDB bills, filtered out or not), a
     * GetItem's item.
     */
    record Calls(int count, long totalMillis, long itemsRead) {
        Calls plus(Calls other) {
            return new Calls(count + other.count, totalMillis + other.totalMillis, itemsRead + other.itemsRead);
        }
    }

    /** Calls since the last {@link #reset}, by name. */
    Map<String, Calls> calls() {
        JsonNode journal = get("/__admin/requests");
        Map<String, Calls> calls = new TreeMap<>();
        for (JsonNode served : journal.path("requests")) {
            JsonNode request = served.path("request");
            if (request.path("url").asText().startsWith("/__admin")) {
                continue;
            }
            String name = name(request);
            long read = name.equals("DynamoDB Query") || name.equals("DynamoDB Scan") ? scanned(served.path("response"))
                    : name.equals("DynamoDB GetItem") ? fetched(served.path("response")) : 0;
            calls.merge(name, new Calls(1, served.path("timing").path("totalTime").asLong(0), read), Calls::plus);
        }
        return calls;
    }

    /** Forgets the calls counted so far (the proxy keeps passing everything through). */
    void reset() {
        proxy.clear();
    }

    static String name(JsonNode request) {
        String service = service(header(request, "Authorization"));
        String target = header(request, "X-Amz-Target");
        if (!target.isEmpty()) {
            return service + " " + target.substring(target.indexOf('.') + 1);
        }
        String body = request.path("body").asText("");
        Matcher action = ACTION.matcher(body);
        if (!action.find()) {
            return service + " " + request.path("method").asText() + " " + request.path("url").asText();
        }
        String name = service + " " + action.group(1);
        if (action.group(1).equals("DescribeInstances")) {
            String form = URLDecoder.decode(body, StandardCharsets.UTF_8);
            if (form.contains("Filter.1.Name=")) {
                return name + " (filtered)";
            }
            return form.contains("InstanceId.1=") ? name + " (by instance id)" : name + " (UNFILTERED)";
        }
        return name;
    }

    /** A GetItem's answer: one item read when it holds one. */
    private static long fetched(JsonNode response) {
        return body(response).has("Item") ? 1 : 0;
    }

    private static JsonNode body(JsonNode response) {
        String body = response.path("body").asText("");
        if (body.isEmpty() && response.hasNonNull("bodyAsBase64")) {
            body = new String(java.util.Base64.getDecoder().decode(response.path("bodyAsBase64").asText()),
                    StandardCharsets.UTF_8);
        }
        try {
            return JSON.readTree(body.isEmpty() ? "{}" : body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

    private static long scanned(JsonNode response) {
        return body(response).path("ScannedCount").asLong(0);
    }

    private static String service(String authorization) {
        Matcher m = SCOPE.matcher(authorization);
        if (!m.find()) {
            return "?";
        }
        return switch (m.group(1)) {
            case "ec2" -> "EC2";
            case "sqs" -> "SQS";
            case "dynamodb" -> "DynamoDB";
            case "ssm" -> "SSM";
            default -> m.group(1);
        };
    }

    private static String header(JsonNode request, String name) {
        for (var it = request.path("headers").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                JsonNode v = e.getValue();
                return v.isArray() ? v.path(0).asText("") : v.asText("");
            }
        }
        return "";
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(proxy.endpoint() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
