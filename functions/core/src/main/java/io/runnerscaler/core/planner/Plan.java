package io.runnerscaler.core.planner;

import java.util.List;

/** What the planner decided for one pool at one instant. */
public record Plan(String pool, List<Action> actions) {

    public Plan {
        actions = List.copyOf(actions);
    }

    public int launchCount() {
        return actions.stream().mapToInt(a -> a instanceof Action.Launch l ? l.count() : 0).sum();
    }

    public List<Action.Terminate> terminations() {
        return actions.stream().filter(Action.Terminate.class::isInstance).map(Action.Terminate.class::cast).toList();
    }

    public List<Action.Drain> drains() {
        return actions.stream().filter(Action.Drain.class::isInstance).map(Action.Drain.class::cast).toList();
    }
}
