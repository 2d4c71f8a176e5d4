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
        return new App(Settings.from(name -> config.getOptionalValue(name, String.class)), Clock.systemUTC(),
                System.out);
    }
}
