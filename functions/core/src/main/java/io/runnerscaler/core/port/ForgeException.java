package io.runnerscaler.core.port;

import java.time.Duration;
import java.util.Optional;

/**
 * A forge's API (GitLab or GitHub) refused or could not answer a call: runner registration and removal, busy
 * checks, job tags, job listings, job retries. The subclasses are the closed set of kinds callers decide on:
 * {@link #retryable()} ones (rate limited, unavailable) leave the work for a later attempt; the others
 * (unauthorized, forbidden, not found, rejected, misconfigured, unexpected answer) are configuration or input
 * problems to log once and count. Messages name the forge, the call and the target, never a token.
 */
public abstract sealed class ForgeException extends RuntimeException {

    private final int status;

    ForgeException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status the forge answered, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    public abstract boolean retryable();

    /** The pool cannot talk to its forge as configured: a secret is missing from SSM, a forge target is unset. */
    public static final class Misconfigured extends ForgeException {
        public Misconfigured(String message) {
            super(message, 0, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 401: the token is missing, wrong, expired or revoked. Fix the secret in SSM. */
    public static final class Unauthorized extends ForgeException {
        public Unauthorized(String message) {
            super(message, 401, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 403 without rate limiting: the token lacks a scope or permission (GitHub App permission, GitLab role). */
    public static final class Forbidden extends ForgeException {
        public Forbidden(String message) {
            super(message, 403, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 404: the runner, manager, project, organisation or runner group does not exist (or is not visible). */
    public static final class NotFound extends ForgeException {
        public NotFound(String message) {
            super(message, 404, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 400, 409 or 422: the forge rejected the request (bad labels, duplicate runner name, busy runner ...). */
    public static final class Rejected extends ForgeException {
        public Rejected(String message, int status) {
            super(message, status, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 429, or 403 with rate limit headers: try again after {@link #retryAfter()}, when the forge said. */
    public static final class RateLimited extends ForgeException {
        private final Duration retryAfter;

        public RateLimited(String message, int status, Duration retryAfter) {
            super(message, status, null);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }

    /**
     * 2xx, but not the answer the API documents (not JSON, or without the field the call reads): the URL points at
     * something else (a sign-in proxy, another API version). It will answer the same way until an operator acts.
     */
    public static final class UnexpectedAnswer extends ForgeException {
        public UnexpectedAnswer(String message, int status) {
            super(message, status, null);
        }

        @Override
        public boolean retryable() {
            return false;
        }
    }

    /** 5xx, a timeout or a connection failure: the forge may answer later. */
    public static final class Unavailable extends ForgeException {
        public Unavailable(String message, int status, Throwable cause) {
            super(message, status, cause);
        }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
