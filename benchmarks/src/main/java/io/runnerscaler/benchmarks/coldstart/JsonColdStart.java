package io.runnerscaler.benchmarks.coldstart;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.benchmarks.e2e.Args;
import io.runnerscaler.benchmarks.e2e.Table;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Jackson's data binding costs a fresh JVM on the webhook's path, against Jackson's streaming API alone:
 * each run is a JVM with Lambda's flags that reads a GitLab Job Hook body, writes a log line and a queue
 * message, prints them and stops, either with an {@link ObjectMapper} (tree, map serialisation: what core's
 * parsers, log and codec do) or with {@link JsonParser} and {@link JsonGenerator} only; a constant line is the
 * JVM's floor. Times spawning to the first stdout line, interleaved; classes counted in one more run each.
 *
 * <pre>JsonColdStart [--runs 20] [--java $JAVA_HOME/bin/java]</pre>
 */
public final class JsonColdStart {

    private static final byte[] BODY = ("{\"object_kind\":\"build\",\"build_id\":1977,\"build_status\":\"pending\","
            + "\"build_created_at\":\"2026-11-23T09:00:00Z\",\"project\":{\"path_with_namespace\":\"group/project\"},"
            + "\"runner\":null,\"user\":{\"id\":3,\"name\":\"User\"}}").getBytes(StandardCharsets.UTF_8);
    static final List<String> VARIANTS = List.of("databind", "streaming", "floor");

    private JsonColdStart() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 2 && argv[0].equals("--child")) {
            System.out.println(child(argv[1]));
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        Args args = new Args(argv);
        int runs = args.integer("runs", 20);
        String java = args.text("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        VARIANTS.forEach(v -> millis.put(v, new ArrayList<>()));
        spawn(java, VARIANTS.get(0), List.of());
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < VARIANTS.size(); k++) {
                String v = VARIANTS.get((i + k) % VARIANTS.size());
                millis.get(v).add(spawn(java, v, List.of()));
            }
        }
        Table t = new Table("variant", "median ms", "min ms", "max ms", "classes loaded to the line");
        for (String v : VARIANTS) {
            Path log = Files.createTempFile("json-classes-", ".log");
            long classes;
            try {
                spawn(java, v, List.of("-Xlog:class+load=info:file=" + log));
                try (var lines = Files.lines(log)) {
                    classes = lines.filter(s -> s.contains("source:")).count();
                }
            } finally {
                Files.deleteIfExists(log);
            }
            List<Double> sorted = millis.get(v).stream().sorted().toList();
            t.row(v, String.format(Locale.ROOT, "**%.0f**", sorted.get((sorted.size() - 1) / 2)),
                    String.format(Locale.ROOT, "%.0f", sorted.get(0)),
                    String.format(Locale.ROOT, "%.0f", sorted.get(sorted.size() - 1)), classes);
        }
        System.out.print("`JsonColdStart --runs " + runs + "` (" + java + " " + String.join(" ",
                EmfColdStart.LAMBDA_FLAGS) + "):\n\n" + t);
    }

    static String child(String variant) throws IOException {
        return switch (variant) {
            case "databind" -> {
                ObjectMapper json = new ObjectMapper();
                JsonNode root = json.readTree(BODY);
                String project = root.path("project").path("path_with_namespace").asText();
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("event", "webhook.accepted");
                line.put("job", "gitlab:" + root.path("build_id").asLong());
                line.put("labels", List.of());
                ObjectNode message = json.createObjectNode().put("v", 1).put("project", project)
                        .put("createdAt", root.path("build_created_at").asText());
                yield json.writeValueAsString(line) + " " + message;
            }
            case "streaming" -> {
                JsonFactory json = new JsonFactory();
                String project = null;
                long id = 0;
                String created = null;
                try (JsonParser p = json.createParser(BODY)) {
                    int depth = 0;
                    String field = null;
                    for (JsonToken token = p.nextToken(); token != null; token = p.nextToken()) {
                        switch (token) {
                            case START_OBJECT, START_ARRAY -> depth++;
                            case END_OBJECT, END_ARRAY -> depth--;
                            case FIELD_NAME -> field = p.currentName();
                            default -> {
                                if (depth == 1 && "build_id".equals(field)) {
                                    id = p.getLongValue();
                                } else if (depth == 1 && "build_created_at".equals(field)) {
                                    created = p.getText();
                                } else if (depth == 2 && "path_with_namespace".equals(field)) {
                                    project = p.getText();
                                }
                            }
                        }
                    }
                }
                StringWriter out = new StringWriter();
                try (JsonGenerator g = json.createGenerator(out)) {
                    g.writeStartObject();
                    g.writeStringField("event", "webhook.accepted");
                    g.writeStringField("job", "gitlab:" + id);
                    g.writeArrayFieldStart("labels");
                    g.writeEndArray();
                    g.writeEndObject();
                    g.writeRaw(' ');
                    g.writeStartObject();
                    g.writeNumberField("v", 1);
                    g.writeStringField("project", project);
                    g.writeStringField("createdAt", created);
                    g.writeEndObject();
                }
                yield out.toString();
            }
            case "floor" -> "{\"event\":\"webhook.accepted\",\"job\":\"gitlab:1977\",\"labels\":[]} "
                    + "{\"v\":1,\"project\":\"group/project\",\"createdAt\":\"2026-11-23T09:00:00Z\"}";
            default -> throw new IllegalArgumentException("unknown variant '" + variant + "'; known: " + VARIANTS);
        };
    }

    private static double spawn(String java, String variant, List<String> extra) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(EmfColdStart.LAMBDA_FLAGS);
        command.addAll(extra);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JsonColdStart.class.getName(), "--child",
                variant));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = reader.readLine();
        }
        double took = (System.nanoTime() - start) / 1e6;
        p.waitFor();
        if (line == null || !line.contains("\"project\":\"group/project\"") || !line.contains("gitlab:1977")) {
            throw new IllegalStateException(variant + ": unexpected output " + line);
        }
        return took;
    }
}
