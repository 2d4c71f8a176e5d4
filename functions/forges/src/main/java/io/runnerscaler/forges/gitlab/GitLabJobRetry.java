package io.runnerscaler.forges.gitlab;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.forges.http.ForgeHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GitLab's {@code POST /projects/:id/jobs/:job_id/retry}: runs a job again as a new job, whose id the
 * answer carries. Needs a token with the {@code api} scope and at least Developer on the project.
 */
public final class GitLabJobRetry implements JobRetry {

    private final ForgeHttp http;
    private final Supplier<Optional<String>> token;

    public GitLabJobRetry(HttpClient client, URI gitlab, Supplier<Optional<String>> token, Clock clock) {
        this.http = new ForgeHttp(client, gitlab, clock, Forge.GITLAB);
        this.token = token;
    }

    @Override
    public Outcome retry(Forge forge, String project, String jobId) {
        if (forge != Forge.GITLAB) {
            return new Outcome.Failed("GitLab retries only GitLab jobs");
        }
        Optional<String> t = token.get();
        if (t.isEmpty()) {
            return new Outcome.Failed("the GitLab API token parameter is empty");
        }
        HttpRequest request = http.request("api/v4/projects/" + ForgeHttp.encode(project) + "/jobs/"
                        + ForgeHttp.encode(jobId) + "/retry")
                .header("PRIVATE-TOKEN", t.get()).POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            var job = http.json(request, "job retry for " + project + " job " + jobId);
            return new Outcome.Retried(job.hasNonNull("id") ? Optional.of(job.get("id").asText()) : Optional.empty());
        } catch (ForgeException e) {
            return new Outcome.Failed(e.getMessage());
        }
    }
}
