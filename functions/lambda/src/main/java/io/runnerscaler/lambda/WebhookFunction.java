package io.runnerscaler.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Optional;

/**
 * The {@code webhook} function as the template deploys it: the same artifact as the other three, but started by
 * Lambda's Java runtime directly ({@code Handler: io.runnerscaler.lambda.WebhookFunction::handleRequest}) rather
 * than through Quarkus. The webhook is the one function a forge waits on, and Quarkus' bootstrap, CDI and the
 * Jackson mapper it builds for every handler were about 1,200 of the classes a fresh webhook loaded, a third of
 * its cold start (BENCHMARKS.md, *Webhook cold start beside Node*). {@link WebhookHandler} stays the
 * {@code @Named("webhook")} Quarkus handler too, so either Handler works.
 *
 * <p>Lambda creates the handler during init: the {@link App} is built from the environment then, and the
 * webhook's primers are registered for the SnapStart checkpoint, as {@link Wiring} does under Quarkus.
 */
public final class WebhookFunction implements RequestStreamHandler {

    /** What one execution environment builds once, at init. */
    record Started(WebhookHandler handler, Priming priming) {
    }

    private final WebhookHandler handler;

    /**
     * Lambda's runtime constructs the handler once per execution environment, in the init phase (before a
     * SnapStart snapshot). The start is here and not in a static initialiser: Quarkus' SnapStart support
     * initialises every class of the artifact before its snapshot, which would build a second App and register
     * the webhook's priming in each of the other three functions.
     */
    public WebhookFunction() {
        this(start(Settings.from(System.getenv()), System.out).handler());
    }

    WebhookFunction(WebhookHandler handler) {
        this.handler = handler;
    }

    /** The App for these settings, the webhook handler on it, and the webhook's primers registered. */
    static Started start(Settings settings, PrintStream out) {
        App app = new App(settings, Clock.systemUTC(), out);
        Priming priming = Priming.register(FunctionPrimers.forFunction(Optional.of("webhook"), app, settings),
                app.log());
        return new Started(new WebhookHandler(app.webhook()), priming);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        handler.handleRequest(input, output, context);
    }
}
