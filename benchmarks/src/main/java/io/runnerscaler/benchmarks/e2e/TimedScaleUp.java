package io.runnerscaler.benchmarks.e2e;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.ScaleUpHandler;

/**
 * The real scale-up handler, remembering when its last invocation started and returned: the moment it
 * returns, the machine record it wrote exists.
 */
final class TimedScaleUp extends ScaleUpHandler {

    private long startedNanos;
    private long returnedNanos;
    private int failures;

    TimedScaleUp(App app) {
        super(app);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        startedNanos = System.nanoTime();
        SQSBatchResponse response = super.handleRequest(event, context);
        returnedNanos = System.nanoTime();
        failures += response.getBatchItemFailures().size();
        return response;
    }

    long startedNanos() {
        return startedNanos;
    }

    long returnedNanos() {
        return returnedNanos;
    }

    int failures() {
        return failures;
    }
}
