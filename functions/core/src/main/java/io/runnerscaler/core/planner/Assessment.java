package io.runnerscaler.core.planner;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the planner saw and aimed for when it made a plan; logged beside the actions and charted by the
 * simulator.
 *
 * @param idleTarget   idle machines wanted beside busy ones (IdleCount, or the scale-factor target)
 * @param period       index of the period whose settings applied; empty when the base values did
 * @param total        live machines, including those this plan terminates
 * @param reviewAt     the earliest instant at which this plan would change with no new event (an idle
 *                     machine's IdleTime or a boot timeout runs out); empty when nothing is pending
 */
public record Assessment(int idleTarget, OptionalInt period, int idle, int busy, int launching, int draining,
                         int total, int queued, Optional<Instant> reviewAt) {

    /** For plans built without an assessment. */
    public static final Assessment NONE =
            new Assessment(0, OptionalInt.empty(), 0, 0, 0, 0, 0, 0, Optional.empty());
}
