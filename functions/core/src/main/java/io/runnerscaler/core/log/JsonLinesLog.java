package io.runnerscaler.core.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.port.EventLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes each event as one JSON line to a stream (stdout in Lambda, where CloudWatch Logs picks it up). */
public final class JsonLinesLog implements EventLog {

    /**
     * Lines of strings, numbers, booleans, lists and maps of them (every line the webhook writes) go through
     * Jackson's streaming writer, which writes them as data binding would; any other value is bound by an
     * {@code ObjectMapper}, loaded only then: data binding is about 500 classes a fresh webhook would load for
     * its log line (benchmarks/COLDSTART.md).
     */
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final Clock clock;

    public JsonLinesLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void info(String event, Map<String, ?> fields) {
        write("INFO", event, fields);
    }

    @Override
    public void warn(String event, Map<String, ?> fields) {
        write("WARN", event, fields);
    }

    private void write(String level, String event, Map<String, ?> fields) {
        var line = new LinkedHashMap<String, Object>();
        line.put("time", clock.instant().toString());
        line.put("level", level);
        line.put("event", event);
        line.putAll(fields);
        try {
            out.println(plain(line) ? streamed(line) : Binding.JSON.writeValueAsString(line));
        } catch (IOException e) {
            // Data binding's JsonProcessingException, or a generator refusing a value: the line is not lost.
            out.println("{\"level\":\"WARN\",\"event\":\"log.unserialisable\",\"for\":\"" + event + "\"}");
        }
    }

    /** Whether the streaming writer writes this value as data binding would. */
    private static boolean plain(Object value) {
        if (value == null || value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Double || value instanceof Boolean) {
            return true;
        }
        if (value instanceof Collection<?> c) {
            for (Object element : c) {
                if (!plain(element)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !plain(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static String streamed(Map<String, Object> line) throws IOException {
        var text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            write(json, line);
        }
        return text.toString();
    }

    private static void write(JsonGenerator json, Object value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case String s -> json.writeString(s);
            case Integer i -> json.writeNumber(i);
            case Long l -> json.writeNumber(l);
            case Double d -> json.writeNumber(d);
            case Boolean b -> json.writeBoolean(b);
            case Collection<?> c -> {
                json.writeStartArray();
                for (Object element : c) {
                    write(json, element);
                }
                json.writeEndArray();
            }
            case Map<?, ?> m -> {
                json.writeStartObject();
                for (var e : m.entrySet()) {
                    json.writeFieldName((String) e.getKey());
                    write(json, e.getValue());
                }
                json.writeEndObject();
            }
            default -> throw new IllegalArgumentException("not a plain value: " + value.getClass().getName());
        }
    }

    /** Data binding for the values the streaming writer leaves to it; the class loads on first use. */
    private static final class Binding {
        static final ObjectMapper JSON = new ObjectMapper();
    }
}
