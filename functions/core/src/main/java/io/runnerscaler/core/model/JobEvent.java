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
 * @param runnerId    the forge's id of the runner that took the job (GitLab Job Hook {@code runner.id}, GitHub
 *                    {@code runner_id}), when the forge says. A GitLab runner is shared by every machine of a pool
 * @param runnerManager GitLab: the system id of the runner manager (the machine) running the job, from the Jobs
 *                    API's {@code runner_manager.system_id}; the Job Hook never carries it
 * @param runnerManagerCreatedAt GitLab: when that runner manager was created ({@code runner_manager.created_at}),
 *                    which for a machine of ours is when its runner registered
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
        Optional<String> installationId,
        Optional<String> runnerId,
        Optional<String> runnerManager,
        Optional<Instant> runnerManagerCreatedAt) {

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
        Objects.requireNonNull(runnerId, "runnerId");
        Objects.requireNonNull(runnerManager, "runnerManager");
        Objects.requireNonNull(runnerManagerCreatedAt, "runnerManagerCreatedAt");
    }

    /** An event whose runner manager, if named, has no creation instant. */
    public JobEvent(Forge forge, String jobId, String project, JobStatus status, Set<String> labels,
                    Optional<String> runnerName, String deliveryId, Instant createdAt, Optional<Instant> startedAt,
                    Optional<Instant> finishedAt, Optional<String> owner, Optional<String> installationId,
                    Optional<String> runnerId, Optional<String> runnerManager) {
        this(forge, jobId, project, status, labels, runnerName, deliveryId, createdAt, startedAt, finishedAt, owner,
                installationId, runnerId, runnerManager, Optional.empty());
    }

    /** An event whose runner the forge names at most by name. */
    public JobEvent(Forge forge, String jobId, String project, JobStatus status, Set<String> labels,
                    Optional<String> runnerName, String deliveryId, Instant createdAt, Optional<Instant> startedAt,
                    Optional<Instant> finishedAt, Optional<String> owner, Optional<String> installationId) {
        this(forge, jobId, project, status, labels, runnerName, deliveryId, createdAt, startedAt, finishedAt, owner,
                installationId, Optional.empty(), Optional.empty());
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
                finishedAt, owner, installationId, runnerId, runnerManager, runnerManagerCreatedAt);
    }

    /** The same event with the runner the forge's API names (GitLab's Jobs API: runner id and runner manager). */
    public JobEvent withRunner(Optional<String> newRunnerId, Optional<String> newRunnerManager) {
        return withRunner(newRunnerId, newRunnerManager, Optional.empty());
    }

    /** The same, with when the runner manager was created (GitLab's {@code runner_manager.created_at}). */
    public JobEvent withRunner(Optional<String> newRunnerId, Optional<String> newRunnerManager,
                               Optional<Instant> managerCreatedAt) {
        return new JobEvent(forge, jobId, project, status, labels, runnerName, deliveryId, createdAt, startedAt,
                finishedAt, owner, installationId, newRunnerId, newRunnerManager,
                newRunnerManager.isPresent() ? managerCreatedAt : Optional.empty());
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
