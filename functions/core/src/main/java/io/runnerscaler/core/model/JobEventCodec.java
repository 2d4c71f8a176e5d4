package io.runnerscaler.core.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;

/**
 * The wire form of a {@link JobEvent} on the queue: small, explicit, versioned JSON. Optional fields are
 * added without a version bump: an older reader ignores them, a newer one reads their absence as empty.
 */
public final class JobEventCodec {

    /**
     * The webhook writes messages with Jackson's streaming writer, field by field in the order the tree this
     * replaced wrote them (the same bytes: JobEventWireFormatTest), and stays off data binding, about 500 classes of
     * its cold start (benchmarks/COLDSTART.md); scale-up reads them as a tree, its mapper loaded on first decode.
     */
    private static final JsonFactory WRITER = new JsonFactory();
    private static final int VERSION = 1;

    public String encode(JobEvent e) {
        var text = new StringWriter();
        try (JsonGenerator n = WRITER.createGenerator(text)) {
            n.writeStartObject();
            n.writeNumberField("v", VERSION);
            n.writeStringField("forge", e.forge().id());
            n.writeStringField("jobId", e.jobId());
            n.writeStringField("project", e.project());
            n.writeStringField("status", e.status().name());
            n.writeArrayFieldStart("labels");
            for (String label : e.labels().stream().sorted().toList()) {
                n.writeString(label);
            }
            n.writeEndArray();
            optional(n, "runnerName", e.runnerName());
            n.writeStringField("deliveryId", e.deliveryId());
            n.writeStringField("createdAt", e.createdAt().toString());
            optional(n, "startedAt", e.startedAt().map(Instant::toString));
            optional(n, "finishedAt", e.finishedAt().map(Instant::toString));
            optional(n, "owner", e.owner());
            optional(n, "installationId", e.installationId());
            optional(n, "runnerId", e.runnerId());
            optional(n, "runnerManager", e.runnerManager());
            optional(n, "runnerManagerCreatedAt", e.runnerManagerCreatedAt().map(Instant::toString));
            n.writeEndObject();
        } catch (IOException notFromAStringWriter) {
            throw new UncheckedIOException(notFromAStringWriter);
        }
        return text.toString();
    }

    private static void optional(JsonGenerator n, String field, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            n.writeStringField(field, value.get());
        }
    }

    /** @throws IllegalArgumentException when the message is not a job event this version understands */
    public JobEvent decode(String json) {
        JsonNode n;
        try {
            n = Reader.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("queue message is not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || n.path("v").asInt() != VERSION) {
            throw new IllegalArgumentException("queue message has no supported version (v=" + VERSION + ")");
        }
        try {
            var labels = new LinkedHashSet<String>();
            n.path("labels").forEach(l -> labels.add(l.asText()));
            return new JobEvent(Forge.fromId(n.path("forge").asText()), required(n, "jobId"), required(n, "project"),
                    JobStatus.valueOf(required(n, "status")), labels, Optional.ofNullable(n.path("runnerName").textValue()),
                    required(n, "deliveryId"), Instant.parse(required(n, "createdAt")),
                    Optional.ofNullable(n.path("startedAt").textValue()).map(Instant::parse),
                    Optional.ofNullable(n.path("finishedAt").textValue()).map(Instant::parse),
                    Optional.ofNullable(n.path("owner").textValue()),
                    Optional.ofNullable(n.path("installationId").textValue()),
                    Optional.ofNullable(n.path("runnerId").textValue()),
                    Optional.ofNullable(n.path("runnerManager").textValue()),
                    Optional.ofNullable(n.path("runnerManagerCreatedAt").textValue()).map(Instant::parse));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("queue message is not a valid job event: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode n, String field) {
        String v = n.path(field).textValue();
        if (v == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        return v;
    }

    /** Data binding for reading, loaded with the first decode (scale-up), never on the webhook's path. */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper();
    }
}
