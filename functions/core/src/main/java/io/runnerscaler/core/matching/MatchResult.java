package io.runnerscaler.core.matching;

import io.runnerscaler.core.config.PoolConfig;
import java.util.List;
import java.util.Objects;

/** Where a job goes: to one pool, or nowhere with a typed reason. Never dropped silently. */
public sealed interface MatchResult {

    /**
     * The job goes to {@code pool}.
     *
     * @param alsoMatching names of other pools that could take it, less specific or later in the config
     */
    record Matched(PoolConfig pool, List<String> alsoMatching) implements MatchResult {
        public Matched {
            Objects.requireNonNull(pool, "pool");
            alsoMatching = List.copyOf(alsoMatching);
        }
    }

    /** No pool can take the job; {@code detail} says what is missing, for logs and the DLQ. */
    record Unmatched(UnmatchedReason reason, String detail) implements MatchResult {
        public Unmatched {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
