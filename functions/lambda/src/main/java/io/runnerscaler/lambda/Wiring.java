package io.runnerscaler.lambda;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;

/** Hands the one {@link App} to Quarkus' CDI, which injects its use cases into the handlers. */
@ApplicationScoped
public class Wiring {

    @Produces
    @Singleton
    App app() {
        return App.fromEnvironment();
    }
}
