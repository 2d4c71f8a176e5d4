package io.runnerscaler.core.webhook;

import io.runnerscaler.core.model.JobEvent;

/** What a forge delivery turned out to be, once verified and parsed. */
public sealed interface ParsedDelivery {

    /** A job status change to act on. */
    record Job(JobEvent event) implements ParsedDelivery {
    }

    /** A well-formed delivery that is not for us (another event type, a status we do not act on). */
    record Ignored(String reason) implements ParsedDelivery {
    }

    /** The body is not what the forge sends. */
    record Malformed(String reason) implements ParsedDelivery {
    }
}
