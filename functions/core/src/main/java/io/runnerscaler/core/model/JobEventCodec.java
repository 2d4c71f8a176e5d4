package io.runnerscaler.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;

/**
 * The wire form of a {@link JobEvent} on the queue: small, explicit, versioned JSON. Optional fields are
 * added without a version bump: an older reader ignores them, a newer one reads their absence as empty.
 */
public final class JobEventCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VERSION = 1;

    public String encode(JobEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("forge", e.forge().id());
        n.put("jobId", e.jobId());
        n.put("project", e.project());
        n.put("status", e.status().name());
        var labels = n.putArray("labels");
        e.labels().stream().sorted().forEach(labels::add);
        e.runnerName().ifPresent(r -> n.put("runnerName", r));
        n.put("deliveryId", e.deliveryId());
        n.put("createdAt", e.createdAt().toString());
        e.startedAt().ifPresent(t -> n.put("startedAt", t.toString()));
        e.finishedAt().ifPresent(t -> n.put("finishedAt", t.toString()));
        e.owner().ifPresent(o -> n.put("owner", o));
        e.installationId().ifPresent(i -> n.put("installationId", i));
        e.runnerId().ifPresent(i -> n.put("runnerId", i));
        e.runnerManager().ifPresent(m -> n.put("runnerManager", m));
        return n.toString();
    }

    /** @throws IllegalArgumentException when the message is not a job event this version understands */
    public JobEvent decode(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
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
                    Optional.ofNullable(n.path("runnerManager").textValue()));
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
}
