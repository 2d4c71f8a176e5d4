package io.runnerscaler.core.planner;

import java.util.List;
import java.util.Objects;

/**
 * What the planner decided for one pool at one instant. Apply the actions in order: machines end first, and
 * the launches count on the places they free (a retired machine's replacement is in the same plan). A launch
 * must still reserve its place atomically, in case a termination did not happen.
 */
public record Plan(String pool, List<Action> actions, Assessment assessment) {

    public Plan {
        actions = List.copyOf(actions);
        Objects.requireNonNull(assessment, "assessment");
    }

    public Plan(String pool, List<Action> actions) {
        this(pool, actions, Assessment.NONE);
    }

    public int launchCount() {
        return launches().stream().mapToInt(Action.Launch::count).sum();
    }

    public List<Action.Launch> launches() {
        return only(Action.Launch.class);
    }

    /** Recorded machines to terminate (after the forge's re-check). */
    public List<Action.Terminate> terminations() {
        return only(Action.Terminate.class);
    }

    /** Instances to terminate without a runner to ask: orphans, failed registrations. */
    public List<Action.Discard> discards() {
        return only(Action.Discard.class);
    }

    /** Machines whose instance already ended, to record. */
    public List<Action.Ended> ended() {
        return only(Action.Ended.class);
    }

    public List<Action.Drain> drains() {
        return only(Action.Drain.class);
    }

    public List<Action.Hold> holds() {
        return only(Action.Hold.class);
    }

    /** Whether the plan asks for anything to be done (holds only explain). */
    public boolean isEmpty() {
        return actions.stream().allMatch(Action.Hold.class::isInstance);
    }

    private <T extends Action> List<T> only(Class<T> type) {
        return actions.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
