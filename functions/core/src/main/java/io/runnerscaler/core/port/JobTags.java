package io.runnerscaler.core.port;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Looks up a GitLab job's tags, which the Job Hook does not carry (the GitLab Jobs API in production). */
public interface JobTags {

    /**
     * The job's {@code tag_list}.
     *
     * @param project the project id or {@code namespace/path}
     * @throws LookupFailed when the forge cannot say
     */
    Set<String> tags(String project, String jobId);

    /**
     * The job as the forge's single-job API shows it: its tags, and once a runner took it, the runner's id and the
     * system id of the runner manager (the machine) running it. GitLab shows {@code runner_manager} from 17.0;
     * before that, or before a runner took the job, it is {@code null}, and so empty here.
     *
     * @throws LookupFailed when the forge cannot say
     */
    default Job job(String project, String jobId) {
        return new Job(tags(project, jobId), Optional.empty(), Optional.empty());
    }

    /**
     * What the single-job API says about a job; {@code runnerId} and {@code runnerManager} are empty until it runs.
     *
     * @param runnerManagerCreatedAt when GitLab first heard from that runner manager (its {@code created_at}): for a
     *                               machine of ours, when its runner registered
     */
    record Job(Set<String> tags, Optional<String> runnerId, Optional<String> runnerManager,
               Optional<java.time.Instant> runnerManagerCreatedAt) {
        public Job {
            tags = Set.copyOf(tags);
            java.util.Objects.requireNonNull(runnerId, "runnerId");
            java.util.Objects.requireNonNull(runnerManager, "runnerManager");
            java.util.Objects.requireNonNull(runnerManagerCreatedAt, "runnerManagerCreatedAt");
        }

        public Job(Set<String> tags, Optional<String> runnerId, Optional<String> runnerManager) {
            this(tags, runnerId, runnerManager, Optional.empty());
        }
    }

    /**
     * Why a lookup failed, by the kind of the forge's failure ({@link LookupFailed#of}); the reason is the
     * {@code Reason} dimension of the {@code TagLookupFailures} metric.
     */
    enum Reason {
        /** The API token is wrong, expired or lacks {@code read_api}: an operator must replace it. */
        UNAUTHORIZED,
        /** No such job, or the token cannot see the project. */
        NOT_FOUND,
        /** The forge asked us to slow down. */
        RATE_LIMITED,
        /** Network error, timeout or 5xx. */
        UNAVAILABLE,
        /** The answer was not the job JSON the API documents. */
        UNEXPECTED_ANSWER
    }

    /** The lookup failed; {@code retryAfter} is what the forge asked for, when it said. */
    final class LookupFailed extends RuntimeException {
        private final Reason reason;
        private final transient Optional<Duration> retryAfter;

        public LookupFailed(Reason reason, String message, Optional<Duration> retryAfter) {
            super(message);
            this.reason = reason;
            this.retryAfter = retryAfter;
        }

        /** The forge's failure as a lookup failure of the same kind; {@code fix} is appended to its message. */
        public static LookupFailed of(ForgeException e, String fix) {
            Reason reason = switch (e) {
                case ForgeException.Unauthorized u -> Reason.UNAUTHORIZED;
                case ForgeException.Forbidden f -> Reason.UNAUTHORIZED;
                case ForgeException.Misconfigured m -> Reason.UNAUTHORIZED;
                case ForgeException.NotFound n -> Reason.NOT_FOUND;
                case ForgeException.RateLimited r -> Reason.RATE_LIMITED;
                case ForgeException.Unavailable u -> Reason.UNAVAILABLE;
                case ForgeException.Rejected r -> Reason.UNEXPECTED_ANSWER;
                case ForgeException.UnexpectedAnswer u -> Reason.UNEXPECTED_ANSWER;
            };
            Optional<Duration> wait = e instanceof ForgeException.RateLimited r ? r.retryAfter() : Optional.empty();
            return new LookupFailed(reason, e.getMessage() + fix, wait);
        }

        public Reason reason() {
            return reason;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        /** Whether asking again later may succeed without an operator doing anything. */
        public boolean retryable() {
            return reason == Reason.RATE_LIMITED || reason == Reason.UNAVAILABLE;
        }
    }
}
