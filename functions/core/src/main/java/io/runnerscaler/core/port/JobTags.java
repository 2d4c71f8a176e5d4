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

    /** Why a lookup failed; the reason is the {@code Reason} dimension of the {@code TagLookupFailures} metric. */
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
