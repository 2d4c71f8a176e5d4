package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.usecase.Reaper;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** The {@code reaper} function: run by the EventBridge schedule; its input is not used. */
@Named("reaper")
@Singleton
public class ReaperHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    private final Reaper reaper;

    @Inject
    public ReaperHandler(App app) {
        this(app.reaper());
    }

    public ReaperHandler(Reaper reaper) {
        this.reaper = reaper;
    }

    /** Time kept back from the function's timeout: one more termination, the metrics flush, the answer. */
    static final Duration RESERVE = Duration.ofSeconds(5);

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> scheduledEvent, Context context) {
        List<Plan> plans = reaper.run(inTime(context));
        return Map.of("pools", plans.size(),
                "launched", plans.stream().mapToInt(Plan::launchCount).sum(),
                "terminated", plans.stream().mapToInt(p -> p.terminations().size()).sum());
    }

    /** Whether the invocation has time left for one more termination; always, outside Lambda (no context). */
    static BooleanSupplier inTime(Context context) {
        if (context == null) {
            return () -> true;
        }
        return () -> context.getRemainingTimeInMillis() > RESERVE.toMillis();
    }
}
