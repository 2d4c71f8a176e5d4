package io.runnerscaler.cli.trace;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The ISO 8601 time fields of forge answers, where {@code null} (which both forges' docs allow) is absent. */
final class Instants {

    private Instants() {
    }

    /** The field's instant; empty when missing or null; a field that is not a time is a {@link HistoryException}. */
    static Optional<Instant> field(JsonNode job, String name, String id) {
        JsonNode value = job.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        try {
            if (value.isTextual()) {
                return Optional.of(OffsetDateTime.parse(value.textValue()).toInstant());
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new HistoryException("job " + id + ": " + name + " " + abbreviate(value) + " is not an ISO 8601 time");
    }

    static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
