package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.JobEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Lists the jobs of one project or repository that wait for a runner, through the forge's API (GitLab jobs
 * with {@code scope[]=pending}, GitHub queued workflow runs and their jobs). Failures are typed
 * {@link io.runnerscaler.core.port.ForgeException}s: rate limits and outages are retryable.
 */
public interface PendingJobs {

    /** The delivery id of a job event that came from a listing rather than a webhook. */
    String POLLED = "polled";

    Forge forge();

    /**
     * The project's pending jobs as {@code QUEUED} job events with their labels (GitLab tags, GitHub
     * {@code runs-on}), using at most {@code maxCalls} API calls.
     *
     * @param project GitLab project id or path, GitHub {@code owner/repo}
     */
    Listing pending(String project, int maxCalls);

    /**
     * The projects of a group and its subgroups (GitLab), page by page from {@code page}, using at most
     * {@code maxCalls} API calls; a listing the budget ended says which page comes next, to go on from there.
     * A forge without groups refuses.
     */
    default Projects projects(String group, String page, int maxCalls) {
        throw new ForgeException.Misconfigured(forge().id() + " has no groups to list projects of ('" + group + "')");
    }

    /**
     * What one listing found.
     *
     * @param calls      API calls made
     * @param complete   false when the call budget ran out before the last page
     * @param retryAfter when the forge said its limit is used up (GitHub {@code x-ratelimit-remaining: 0}) on an
     *                   answer that still succeeded: how long to leave it alone
     */
    record Listing(List<JobEvent> jobs, int calls, boolean complete, Optional<Duration> retryAfter) {
        public Listing {
            jobs = List.copyOf(jobs);
        }
    }

    /**
     * What one listing of a group's projects found.
     *
     * @param projects   project paths ({@code group/sub/app}), as job events name them
     * @param calls      API calls made
     * @param nextPage   the page to go on from when the budget or the rate limit ended the listing; empty when done
     * @param retryAfter as in {@link Listing}
     */
    record Projects(List<String> projects, int calls, Optional<String> nextPage, Optional<Duration> retryAfter) {
        public Projects {
            projects = List.copyOf(projects);
        }

        public boolean complete() {
            return nextPage.isEmpty();
        }
    }
}
