package io.runnerscaler.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives the application's JSON log lines (what CloudWatch Logs would get) and keeps the decision
 * events, so the demo prints what the real handlers decided and why — not a separate narration.
 */
final class TimelineLog extends OutputStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<JsonNode> events = new ArrayList<>();
    private final PrintStream raw;

    TimelineLog(PrintStream raw) {
        this.raw = raw;
    }

    PrintStream stream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    List<JsonNode> events() {
        return events;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else {
            line.write(b);
        }
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (raw != null) {
            raw.println(text);
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.has("event")) {
                events.add(node);
            }
        } catch (java.io.IOException notJson) {
            // EMF metric lines and anything else are not timeline events
        }
    }
}
