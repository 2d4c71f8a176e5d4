package io.runnerscaler.lambda;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Hands the one {@link App} to Quarkus' CDI, which injects its use cases into the handlers, and builds both at
 * startup, where SnapStart can keep them.
 */
@ApplicationScoped
public class Wiring {

    /** The property Quarkus chooses the function's handler by ({@code QUARKUS_LAMBDA_HANDLER} in the template). */
    static final String HANDLER = "quarkus.lambda.handler";

    @Produces
    @Singleton
    App app() {
        // MicroProfile config sees the environment variables the template sets, and lets tests supply them.
        var config = ConfigProvider.getConfig();
        Settings settings = Settings.from(name -> config.getOptionalValue(name, String.class));
        return new App(settings, Clock.systemUTC(), System.out);
    }

    /**
     * Lambda's init phase. Under SnapStart the runtime constructs Quarkus' {@code QuarkusStreamHandler}, whose
     * constructor starts the application ({@code quarkus.snapstart.full-warmup}, on by default with SnapStart, runs
     * {@code Quarkus.manualStart()} inside {@code manualInitialize()}), so this observer runs before the snapshot:
     * it builds the App, its SDK clients and the function's handler (a singleton, so every invocation gets this
     * one), and registers the priming the runtime calls before it takes the snapshot. Left to the first event, as
     * a lazily injected App was, they are built after the snapshot, on every restored instance's first event.
     */
    void startup(@Observes StartupEvent started, App app) {
        Optional<String> function = ConfigProvider.getConfig().getOptionalValue(HANDLER, String.class);
        function.ifPresent(name -> Arc.container().instance(name).get());
        Priming.register(FunctionPrimers.forFunction(function, app, app.settings()), app.log());
    }
}
