package io.runnerscaler.forges.github;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * GitHub's "re-run a job from a workflow run", {@code POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun}:
 * runs the job (and the jobs that depend on it) again in a new attempt of its workflow run. GitHub answers 201
 * with an empty object, so the new job's id is only known from its {@code queued} webhook. Needs the App's
 * "Actions: read and write" repository permission. GitHub refuses (403) while another job of the same run is
 * still running: re-runs start only from a finished run.
 */
public final class GitHubJobRetry implements JobRetry {

    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9-]+/[A-Za-z0-9._-]+");
    private static final Pattern JOB_ID = Pattern.compile("[0-9]{1,20}");

    private final GitHubAppClient github;

    public GitHubJobRetry(GitHubAppClient github) {
        this.github = github;
    }

    /** @param project the repository's {@code owner/repo}, as the {@code workflow_job} webhook names it */
    @Override
    public Outcome retry(Forge forge, String project, String jobId) {
        if (forge != Forge.GITHUB) {
            return new Outcome.Failed("GitHub re-runs only GitHub jobs");
        }
        if (!REPOSITORY.matcher(project).matches() || !JOB_ID.matcher(jobId).matches()) {
            return new Outcome.Failed("GitHub job '" + jobId + "' of '" + project
                    + "' is not a numeric job id of an owner/repo repository");
        }
        try {
            github.call("re-run of job " + jobId + " in " + project, () -> github.request("repos/" + project
                    + "/actions/jobs/" + ForgeHttp.encode(jobId) + "/rerun")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"enable_debug_logging\":false}")));
            return new Outcome.Retried(Optional.empty());
        } catch (ForgeException e) {
            return new Outcome.Failed(e.getMessage());
        }
    }
}
