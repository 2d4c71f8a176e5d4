package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.runnerscaler.core.usecase.ScaleUp;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code scale-up} function: job events from the FIFO queue, handed to {@link ScaleUp}. A message it retries is
 * reported as a partial batch failure (the use case has already set when it comes back); done and parked ones are
 * deleted by Lambda.
 */
@Named("scale-up")
@Singleton
public class ScaleUpHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final ScaleUp scaleUp;

    @Inject
    public ScaleUpHandler(App app) {
        this(app.scaleUp());
    }

    public ScaleUpHandler(ScaleUp scaleUp) {
        this.scaleUp = scaleUp;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        var batch = event.getRecords().stream().map(m -> {
            Map<String, String> a = m.getAttributes() == null ? Map.of() : m.getAttributes();
            return new ScaleUp.Message(m.getMessageId(), m.getReceiptHandle(), m.getBody(),
                    Optional.ofNullable(a.get("MessageGroupId")),
                    Integer.parseInt(a.getOrDefault("ApproximateReceiveCount", "1")));
        }).toList();
        var failures = scaleUp.handle(batch).stream().filter(ScaleUp.Outcome.Retry.class::isInstance)
                .map(o -> new SQSBatchResponse.BatchItemFailure(o.messageId())).toList();
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }
}
