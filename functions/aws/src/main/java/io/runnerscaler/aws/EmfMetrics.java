package io.runnerscaler.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.runnerscaler.core.port.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics as CloudWatch Embedded Metric Format lines on stdout: Lambda ships them to CloudWatch Logs and
 * CloudWatch extracts the metrics, with no API call on the request path. Namespace {@code RunnerScaler}.
 */
public final class EmfMetrics implements Metrics {

    public static final String NAMESPACE = "RunnerScaler";
    /** Jackson's streaming writer: the webhook's path stays off data binding (benchmarks/COLDSTART.md). */
    private static final JsonFactory JSON = new JsonFactory();
    /** Where the {@code _aws} metadata goes among the line's members. */
    private static final Object METADATA = new Object();

    private final PrintStream out;
    private final Clock clock;

    public EmfMetrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void count(String name, Map<String, String> dimensions, double value) {
        emit(name, "Count", dimensions, value);
    }

    @Override
    public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        emit(name, "Milliseconds", dimensions, millis);
    }

    private void emit(String name, String unit, Map<String, String> dimensions, double value) {
        var dims = new TreeMap<>(dimensions);
        // The metadata, then each dimension's value, then the metric's: one member per name, a later one taking
        // an earlier one's value in its place.
        var members = new LinkedHashMap<String, Object>();
        members.put("_aws", METADATA);
        members.putAll(dims);
        members.put(name, value);
        var line = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            for (var member : members.entrySet()) {
                json.writeFieldName(member.getKey());
                switch (member.getValue()) {
                    case String s -> json.writeString(s);
                    case Double d -> json.writeNumber(d);
                    default -> metadata(json, name, unit, dims);
                }
            }
            json.writeEndObject();
        } catch (IOException notFromAStringWriter) {
            throw new UncheckedIOException(notFromAStringWriter);
        }
        out.println(line);
    }

    private void metadata(JsonGenerator json, String name, String unit, Map<String, String> dims) throws IOException {
        json.writeStartObject();
        json.writeNumberField("Timestamp", clock.millis());
        json.writeArrayFieldStart("CloudWatchMetrics");
        json.writeStartObject();
        json.writeStringField("Namespace", NAMESPACE);
        json.writeArrayFieldStart("Dimensions");
        json.writeStartArray();
        for (String dimension : dims.keySet()) {
            json.writeString(dimension);
        }
        json.writeEndArray();
        json.writeEndArray();
        json.writeArrayFieldStart("Metrics");
        json.writeStartObject();
        json.writeStringField("Name", name);
        json.writeStringField("Unit", unit);
        json.writeEndObject();
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndArray();
        json.writeEndObject();
    }
}
