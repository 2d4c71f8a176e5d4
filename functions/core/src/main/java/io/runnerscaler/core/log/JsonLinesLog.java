package io.runnerscaler.core.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.port.EventLog;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes each event as one JSON line to a stream (stdout in Lambda, where CloudWatch Logs picks it up). */
public final class JsonLinesLog implements EventLog {

    private static final ObjectMapper JSON = new ObjectMapper();

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
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            out.println("{\"level\":\"WARN\",\"event\":\"log.unserialisable\",\"for\":\"" + event + "\"}");
        }
    }
}
