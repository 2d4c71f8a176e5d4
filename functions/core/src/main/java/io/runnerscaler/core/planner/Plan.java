package io.runnerscaler.core.planner;

import java.util.List;
import java.util.Objects;

/**
 * What the planner decided for one pool at one instant. Apply the actions in order: terminations come
 * first, and the launches count on the places they free (a retired machine's replacement is in the same
 * plan). A launch must still reserve its place atomically, in case a termination did not happen.
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
        return actions.stream().mapToInt(a -> a instanceof Action.Launch l ? l.count() : 0).sum();
    }

    public List<Action.Launch> launches() {
        return actions.stream().filter(Action.Launch.class::isInstance).map(Action.Launch.class::cast).toList();
    }

    public List<Action.Terminate> terminations() {
        return actions.stream().filter(Action.Terminate.class::isInstance).map(Action.Terminate.class::cast).toList();
    }

    public List<Action.Drain> drains() {
        return actions.stream().filter(Action.Drain.class::isInstance).map(Action.Drain.class::cast).toList();
    }

    public List<Action.Hold> holds() {
        return actions.stream().filter(Action.Hold.class::isInstance).map(Action.Hold.class::cast).toList();
    }

    /** Whether the plan asks for anything to be done (holds only explain). */
    public boolean isEmpty() {
        return actions.stream().allMatch(Action.Hold.class::isInstance);
    }
}
