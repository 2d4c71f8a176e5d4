package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Forge;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** Asks a forge to run a job again (GitLab's job retry API, GitHub's job re-run). */
public interface JobRetry {

    Outcome retry(Forge forge, String project, String jobId);

    /** What the forge answered. */
    sealed interface Outcome {
        /** The forge queued the job again; GitLab names the new job, GitHub does not. */
        record Retried(Optional<String> newJobId) implements Outcome {
        }

        /** The forge refused or could not be reached. */
        record Failed(String reason) implements Outcome {
        }
    }

    /** For stacks with no forge API configured: every retry is refused with the reason. */
    JobRetry NOT_CONFIGURED = (forge, project, jobId) ->
            new Outcome.Failed("no " + forge.id() + " API token configured for job retries");

    /** Each job to its own forge's retry; a forge missing from {@code retries} is {@link #NOT_CONFIGURED}. */
    static JobRetry byForge(Map<Forge, JobRetry> retries) {
        Map<Forge, JobRetry> copy = retries.isEmpty() ? Map.of() : new EnumMap<>(retries);
        return (forge, project, jobId) -> copy.getOrDefault(forge, NOT_CONFIGURED).retry(forge, project, jobId);
    }
}
