package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import io.runnerscaler.core.json.JsonValue;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * Parses GitLab Job Hook deliveries ({@code X-Gitlab-Event: Job Hook}, {@code object_kind: build}) into
 * job events. The hook carries no job tags; they are looked up separately.
 */
public final class GitLabJobHook {

    private static final JsonFactory JSON = new JsonFactory();
    /** Older GitLab versions send {@code 2021-02-23 02:41:37 UTC}. */
    private static final DateTimeFormatter LEGACY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z",
            java.util.Locale.ROOT);

    public ParsedDelivery parse(Optional<String> eventHeader, byte[] body, String deliveryId) {
        if (eventHeader.isPresent() && !eventHeader.get().equals("Job Hook")) {
            return new ParsedDelivery.Ignored("X-Gitlab-Event '" + eventHeader.get() + "' is not a Job Hook");
        }
        JsonValue root;
        switch (JsonObjectBody.read(JSON, body)) {
            case JsonObjectBody.Unreadable u -> {
                return u.why();
            }
            case JsonObjectBody.Read r -> root = r.root();
        }
        String kind = root.path("object_kind").asText("");
        if (!kind.equals("build")) {
            return new ParsedDelivery.Ignored("object_kind '" + kind + "' is not a job (build) event");
        }
        JsonValue id = root.path("build_id");
        if (!id.isIntegralNumber() || !id.canConvertToLong()) {
            return new ParsedDelivery.Malformed("build_id is missing or not a number");
        }
        if (id.asLong() <= 0) {
            // GitLab's job ids are positive; 0 or less is no job of GitLab's and would key a ledger entry no
            // job event can ever match.
            return new ParsedDelivery.Malformed("build_id " + id.asLong() + " is not a job id (must be positive)");
        }
        String rawStatus = root.path("build_status").asText("");
        Optional<JobStatus> status = status(rawStatus);
        if (status.isEmpty()) {
            return new ParsedDelivery.Ignored("build_status '" + rawStatus + "' needs no runner change");
        }
        String project = root.path("project").path("path_with_namespace").asText(root.path("project_name").asText(""));
        if (project.isEmpty()) {
            project = root.path("project_id").asText("");
        }
        if (project.isEmpty()) {
            return new ParsedDelivery.Malformed("project is missing");
        }
        Optional<Instant> created;
        Optional<Instant> started;
        Optional<Instant> finished;
        try {
            created = time(root, "build_created_at");
            started = time(root, "build_started_at");
            finished = time(root, "build_finished_at");
        } catch (DateTimeParseException e) {
            return new ParsedDelivery.Malformed("timestamp not understood: " + e.getParsedString());
        }
        if (created.isEmpty()) {
            return new ParsedDelivery.Malformed("build_created_at is missing");
        }
        Optional<String> runner = Optional.ofNullable(root.path("runner").path("description").textValue())
                .filter(s -> !s.isBlank());
        // The runner block (id, description, runner_type, active, is_shared, tags: lib/gitlab/data_builder/build.rb)
        // names the runner, which every machine of a pool shares, never the runner manager that took the job.
        JsonValue runnerId = root.path("runner").path("id");
        Optional<String> runnerIdText = runnerId.isIntegralNumber() && runnerId.asLong() > 0
                ? Optional.of(Long.toString(runnerId.asLong())) : Optional.empty();
        return new ParsedDelivery.Job(new JobEvent(Forge.GITLAB, Long.toString(id.asLong()), project, status.get(),
                Set.of(), runner, deliveryId, created.get(), started, finished, Optional.empty(), Optional.empty(),
                runnerIdText, Optional.empty()));
    }

    static Optional<JobStatus> status(String gitlab) {
        return switch (gitlab) {
            case "created" -> Optional.of(JobStatus.CREATED);
            case "pending" -> Optional.of(JobStatus.QUEUED);
            case "running" -> Optional.of(JobStatus.RUNNING);
            case "success" -> Optional.of(JobStatus.SUCCEEDED);
            case "failed" -> Optional.of(JobStatus.FAILED);
            case "canceled" -> Optional.of(JobStatus.CANCELED);
            default -> Optional.empty();
        };
    }

    /** Prefers the {@code _iso} field GitLab 16+ sends, then the plain one in either format. */
    private static Optional<Instant> time(JsonValue root, String field) {
        String iso = root.path(field + "_iso").textValue();
        String text = iso != null ? iso : root.path(field).textValue();
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        // ISO 8601 has a T between date and time; the legacy form has a space (and ends in "UTC").
        if (text.length() > 10 && text.charAt(10) == 'T') {
            return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        }
        return Optional.of(ZonedDateTime.parse(text, LEGACY).toInstant());
    }
}
