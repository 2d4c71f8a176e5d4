package io.runnerscaler.lambda;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.config.ConfigProvider;
import jakarta.enterprise.inject.Produces;

/** Hands the one {@link App} to Quarkus' CDI, which injects its use cases into the handlers. */
@ApplicationScoped
public class Wiring {

    @Produces
    @Singleton
    App app() {
        // MicroProfile config sees the environment variables the template sets, and lets tests supply them.
        var config = ConfigProvider.getConfig();
        Settings settings = Settings.from(name -> config.getOptionalValue(name, String.class));
        App app = new App(settings, Clock.systemUTC(), System.out);
        // SnapStart: exercise the function's SDK calls and JSON/HMAC code before the snapshot, so a restored
        // function does not pay for loading and compiling them on its first event.
        Priming.register(FunctionPrimers.forFunction(config.getOptionalValue("quarkus.lambda.handler", String.class),
                app, settings), app.log());
        return app;
    }
}
