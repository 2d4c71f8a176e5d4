package io.runnerscaler.core.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import io.runnerscaler.core.json.JsonValue;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Parses GitHub {@code workflow_job} deliveries into job events: the action gives the status (a completed
 * job's conclusion says which finished status), {@code runs-on} labels come with the payload, and the
 * repository, organisation and App installation are kept for registering the runner.
 */
public final class GitHubWorkflowJob {

    private static final JsonFactory JSON = new JsonFactory();

    public ParsedDelivery parse(String event, byte[] body, String deliveryId) {
        if (!event.equals("workflow_job")) {
            return new ParsedDelivery.Ignored("X-GitHub-Event '" + event + "' is not workflow_job");
        }
        JsonValue root;
        switch (JsonObjectBody.read(JSON, body)) {
            case JsonObjectBody.Unreadable u -> {
                return u.why();
            }
            case JsonObjectBody.Read r -> root = r.root();
        }
        JsonValue job = root.path("workflow_job");
        if (!job.isObject()) {
            return new ParsedDelivery.Malformed("workflow_job is missing or not an object");
        }
        JsonValue id = job.path("id");
        if (!id.isIntegralNumber() || !id.canConvertToLong()) {
            return new ParsedDelivery.Malformed("workflow_job.id is missing or not a number");
        }
        if (id.asLong() <= 0) {
            // GitHub's job ids are positive; 0 or less is no job of GitHub's.
            return new ParsedDelivery.Malformed("workflow_job.id " + id.asLong()
                    + " is not a job id (must be positive)");
        }
        String action = root.path("action").textValue();
        if (action == null) {
            return new ParsedDelivery.Malformed("action is missing or not a string");
        }
        Optional<JobStatus> status = status(action, job.path("conclusion").textValue());
        if (status.isEmpty()) {
            return new ParsedDelivery.Ignored("workflow_job action '" + action + "' needs no runner change");
        }
        String repository = root.path("repository").path("full_name").textValue();
        if (repository == null || repository.isBlank()) {
            return new ParsedDelivery.Malformed("repository.full_name is missing or not a string");
        }
        JsonValue labelsNode = job.path("labels");
        if (!labelsNode.isArray()) {
            return new ParsedDelivery.Malformed("workflow_job.labels is missing or not an array");
        }
        Set<String> labels = new LinkedHashSet<>();
        for (JsonValue label : labelsNode.elements()) {
            if (!label.isTextual()) {
                return new ParsedDelivery.Malformed("workflow_job.labels holds a " + label.typeName()
                        + ", not a string");
            }
            labels.add(label.textValue());
        }
        Optional<Instant> created;
        Optional<Instant> started;
        Optional<Instant> completed;
        try {
            created = time(job, "created_at");
            started = time(job, "started_at");
            completed = time(job, "completed_at");
        } catch (DateTimeParseException e) {
            return new ParsedDelivery.Malformed("timestamp not understood: " + e.getParsedString());
        } catch (IllegalArgumentException e) {
            return new ParsedDelivery.Malformed(e.getMessage());
        }
        // Payloads from before 2022 have no created_at; there started_at is when the job was queued.
        Optional<Instant> createdAt = created.or(() -> started);
        if (createdAt.isEmpty()) {
            return new ParsedDelivery.Malformed("workflow_job.created_at and started_at are both missing");
        }
        boolean hasStarted = status.get() != JobStatus.QUEUED && status.get() != JobStatus.CREATED;
        Optional<String> runner = text(job, "runner_name");
        Optional<String> owner = text(root.path("organization"), "login")
                .or(() -> text(root.path("repository").path("owner"), "login"));
        JsonValue installation = root.path("installation").path("id");
        Optional<String> installationId = installation.isIntegralNumber()
                ? Optional.of(installation.asText()) : Optional.empty();
        return new ParsedDelivery.Job(new JobEvent(Forge.GITHUB, Long.toString(id.asLong()), repository,
                status.get(), labels, runner, deliveryId, createdAt.get(),
                hasStarted ? started : Optional.empty(),
                status.get().isFinished() ? completed : Optional.empty(), owner, installationId));
    }

    /**
     * The job's status for a {@code workflow_job} action. A completed job is finished whatever its
     * conclusion; the conclusion only says which way, for the ledger.
     */
    static Optional<JobStatus> status(String action, String conclusion) {
        return switch (action) {
            case "waiting" -> Optional.of(JobStatus.CREATED);
            case "queued" -> Optional.of(JobStatus.QUEUED);
            case "in_progress" -> Optional.of(JobStatus.RUNNING);
            case "completed" -> Optional.of(finished(conclusion));
            default -> Optional.empty();
        };
    }

    private static JobStatus finished(String conclusion) {
        if (conclusion == null) {
            return JobStatus.FAILED;
        }
        return switch (conclusion) {
            case "success", "neutral" -> JobStatus.SUCCEEDED;
            case "cancelled", "skipped", "stale" -> JobStatus.CANCELED;
            // failure, timed_out, action_required, startup_failure and whatever GitHub adds next
            default -> JobStatus.FAILED;
        };
    }

    private static Optional<String> text(JsonValue parent, String field) {
        return Optional.ofNullable(parent.path(field).textValue()).filter(s -> !s.isBlank());
    }

    private static Optional<Instant> time(JsonValue job, String field) {
        JsonValue node = job.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("workflow_job." + field + " is not a string");
        }
        return Optional.of(OffsetDateTime.parse(node.textValue()).toInstant());
    }
}
