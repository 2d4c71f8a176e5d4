package io.runnerscaler.core.sim;

import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a simulation's timeline.
 *
 * @param pool    the pool, or empty for a job that matched none
 * @param subject the job id (job events) or instance id (machine events); for HOLD, the pool
 * @param reason  the planner's reason, for launches, terminations and holds
 * @param detail  what else a reader needs: the machine a job started on, the market, the hold's numbers
 */
public record SimEvent(Instant at, String pool, Kind kind, String subject, Optional<Reason> reason, String detail) {

    /** What happened. */
    public enum Kind {
        JOB_QUEUED,
        /** The job matched no pool; {@code detail} carries the matcher's reason. */
        JOB_UNMATCHED,
        JOB_STARTED,
        JOB_FINISHED,
        /** The job lost its machine to a spot interruption and is queued again. */
        JOB_REQUEUED,
        LAUNCH_REQUESTED,
        MACHINE_READY,
        MACHINE_DRAINING,
        MACHINE_TERMINATED,
        /** The cloud took the machine back (spot interruption). */
        MACHINE_INTERRUPTED,
        /** The planner wanted more but held back; recorded when the pool's holds change. */
        HOLD
    }

    public SimEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code +00:05:00 docker LAUNCH_REQUESTED docker-3 JOBS_WAITING spot}, times relative to {@code start}. */
    public String format(Instant start) {
        Duration d = Duration.between(start, at);
        String sign = d.isNegative() ? "-" : "+";
        d = d.abs();
        return String.format("%s%02d:%02d:%02d %s %s %s%s%s", sign, d.toHours(), d.toMinutesPart(),
                d.toSecondsPart(), pool.isEmpty() ? "-" : pool, kind, subject,
                reason.map(r -> " " + r).orElse(""), detail.isEmpty() ? "" : " " + detail);
    }
}
