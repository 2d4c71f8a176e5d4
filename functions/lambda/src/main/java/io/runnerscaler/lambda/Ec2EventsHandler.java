package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.runnerscaler.core.usecase.InstanceEvents;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ec2-events} function: EventBridge events from EC2 (instance state changes, Spot interruption
 * warnings, rebalance recommendations).
 */
@Named("ec2-events")
@Singleton
public class Ec2EventsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private final InstanceEvents instances;

    @Inject
    public Ec2EventsHandler(App app) {
        this(app.instanceEvents());
    }

    public Ec2EventsHandler(InstanceEvents instances) {
        this.instances = instances;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        String type = String.valueOf(event.get("detail-type"));
        Object d = event.get("detail");
        if (!(d instanceof Map<?, ?> detail) || detail.get("instance-id") == null) {
            return Map.of("handled", false, "reason", "no detail.instance-id in '" + type + "' event");
        }
        String instanceId = String.valueOf(detail.get("instance-id"));
        switch (type) {
            case "EC2 Instance State-change Notification" -> instances.stateChanged(instanceId,
                    String.valueOf(detail.get("state")), time(event));
            case "EC2 Spot Instance Interruption Warning" -> instances.interrupted(instanceId, "SPOT_INTERRUPTION");
            case "EC2 Instance Rebalance Recommendation" -> instances.interrupted(instanceId, "REBALANCE_RECOMMENDATION");
            default -> {
                return Map.of("handled", false, "reason", "detail-type '" + type + "' is not handled");
            }
        }
        return Map.of("handled", true, "instance", instanceId);
    }

    /**
     * The event's {@code time}: when EC2 saw the change, in ISO 8601 (EventBridge's event structure), which can be
     * seconds before the event reaches this function. Empty when missing or unreadable.
     */
    static Optional<Instant> time(Map<String, Object> event) {
        try {
            return Optional.ofNullable(event.get("time")).map(String::valueOf).map(Instant::parse);
        } catch (DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }
}
