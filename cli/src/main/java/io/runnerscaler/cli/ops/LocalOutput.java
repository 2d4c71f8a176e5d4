package io.runnerscaler.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code runner-scaler local} shows what the functions write. The functions write one JSON line per decision
 * and an Embedded Metric Format line per metric to the same stream, as Lambda sends both to CloudWatch Logs; here the
 * decisions are printed one readable line each ({@code 09:00:05 INFO job.queued job=gitlab:1977 pool=docker ...})
 * and the metric lines go to a file. {@code --raw} prints every line as the functions wrote it instead.
 */
final class LocalOutput extends OutputStream {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final PrintStream console;
    private final Optional<OutputStream> metrics;
    private final boolean raw;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /**
     * @param metricsFile where EMF lines go unless {@code raw}; empty drops them
     */
    LocalOutput(PrintStream console, boolean raw, Optional<Path> metricsFile) {
        this.console = console;
        this.raw = raw;
        this.metrics = raw ? Optional.empty() : metricsFile.map(LocalOutput::append);
    }

    /** The stream to hand the app: lines written to it are routed as they end. */
    PrintStream stream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            route(line.toString(StandardCharsets.UTF_8));
            line.reset();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(bytes[i]);
        }
    }

    private void route(String text) {
        if (raw) {
            console.println(text);
        } else if (text.startsWith("{\"_aws\"")) {
            metrics.ifPresent(out -> {
                try {
                    out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    // metrics are for inspection only; a full disk must not stop the functions
                }
            });
        } else {
            console.println(readable(text));
        }
    }

    /** A decision line as one readable line: time, level, event, then each field as {@code key=value}. */
    static String readable(String jsonLine) {
        JsonNode node;
        try {
            node = JSON.readTree(jsonLine);
        } catch (IOException e) {
            return jsonLine;
        }
        if (node == null || !node.isObject() || !node.has("event")) {
            return jsonLine;
        }
        var out = new StringBuilder();
        out.append(time(node.path("time").asText(""))).append(' ')
                .append(String.format("%-4s", node.path("level").asText("INFO"))).append(' ')
                .append(node.path("event").asText());
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            var field = fields.next();
            String key = field.getKey();
            if (key.equals("time") || key.equals("level") || key.equals("event")) {
                continue;
            }
            JsonNode value = field.getValue();
            out.append(' ').append(key).append('=').append(value.isTextual() ? value.textValue() : value.toString());
        }
        return out.toString();
    }

    private static String time(String iso) {
        try {
            return CLOCK.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private static OutputStream append(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (line.size() > 0) {
            route(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
        if (metrics.isPresent()) {
            metrics.get().close();
        }
    }
}
