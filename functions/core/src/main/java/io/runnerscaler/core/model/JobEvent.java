package io.runnerscaler.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One job status change from a forge, normalised. GitLab Job Hooks and GitHub {@code workflow_job}
 * deliveries both become this.
 *
 * @param project     GitLab project id or path, GitHub {@code owner/repo}
 * @param labels      GitLab tags or GitHub {@code runs-on} labels; empty when unknown
 * @param runnerName  the runner that took the job, when the forge says
 * @param deliveryId  the forge's delivery id ({@code X-GitHub-Delivery}, {@code X-Gitlab-Event-UUID})
 * @param owner       GitHub organisation (or repository owner) login; empty for GitLab
 * @param installationId GitHub App installation id, when the delivery came through an App
 */
public record JobEvent(
        Forge forge,
        String jobId,
        String project,
        JobStatus status,
        Set<String> labels,
        Optional<String> runnerName,
        String deliveryId,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        Optional<String> owner,
        Optional<String> installationId) {

    public JobEvent {
        Objects.requireNonNull(forge, "forge");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(status, "status");
        labels = Set.copyOf(labels);
        Objects.requireNonNull(runnerName, "runnerName");
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(installationId, "installationId");
    }

    /** An event without GitHub owner and installation (GitLab, or callers that do not know them). */
    public JobEvent(Forge forge, String jobId, String project, JobStatus status, Set<String> labels,
                    Optional<String> runnerName, String deliveryId, Instant createdAt, Optional<Instant> startedAt,
                    Optional<Instant> finishedAt) {
        this(forge, jobId, project, status, labels, runnerName, deliveryId, createdAt, startedAt, finishedAt,
                Optional.empty(), Optional.empty());
    }

    /** The same event with the labels looked up elsewhere (GitLab job tags come from the Jobs API). */
    public JobEvent withLabels(Set<String> newLabels) {
        return new JobEvent(forge, jobId, project, status, newLabels, runnerName, deliveryId, createdAt, startedAt,
                finishedAt, owner, installationId);
    }

    /** The job's identity across forges: {@code gitlab:1234}. */
    public String jobKey() {
        return forge.id() + ":" + jobId;
    }

    /** Key under which duplicates of this very status change collapse. */
    public String deduplicationKey() {
        return jobKey() + ":" + status.name();
    }
}
