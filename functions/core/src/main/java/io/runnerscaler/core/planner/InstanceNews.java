package io.runnerscaler.core.planner;

/** What EC2 said about one instance, for {@link Planner#onInstanceNews}. */
public sealed interface InstanceNews {

    /** An instance state-change notification: {@code pending}, {@code running}, {@code stopped} ... */
    record StateChanged(String ec2State) implements InstanceNews {
    }

    /**
     * A spot interruption warning ({@code interruption}: EC2 takes the instance in two minutes) or a rebalance
     * recommendation.
     */
    record SpotNotice(boolean interruption) implements InstanceNews {
    }
}
