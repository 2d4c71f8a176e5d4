package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the samples in the repository's events/ folder into the types Lambda hands the handlers. */
final class SampleEvents {

    static final String GITLAB_TEST_TOKEN = "runner-scaler-test-gitlab-token";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, true)
            .build();

    private SampleEvents() {
    }

    static Path path(String name) {
        return AwsEmulator.ProjectRoot.find().resolve("events").resolve(name);
    }

    static APIGatewayV2HTTPEvent http(String name) {
        return read(name, APIGatewayV2HTTPEvent.class);
    }

    /** The sample with one header replaced (or removed when {@code value} is null). */
    static APIGatewayV2HTTPEvent http(String name, String header, String value) {
        APIGatewayV2HTTPEvent e = http(name);
        Map<String, String> headers = new HashMap<>(e.getHeaders());
        if (value == null) {
            headers.remove(header);
        } else {
            headers.put(header, value);
        }
        e.setHeaders(headers);
        return e;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String name) {
        return read(name, Map.class);
    }

    static <T> T read(String name, Class<T> type) {
        try {
            return JSON.readValue(Files.readString(path(name)), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
