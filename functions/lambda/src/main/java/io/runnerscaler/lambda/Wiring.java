package io.runnerscaler.lambda;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
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
        App app = new App(Settings.from(name -> config.getOptionalValue(name, String.class)), Clock.systemUTC(),
                System.out);
        // SnapStart: build the SDK clients (and their HTTP client, credentials, endpoint rules) before the
        // snapshot, so a restored function does not pay for it on its first event.
        Priming.register(List.of(() -> app.aws().sqs(), () -> app.aws().dynamo(), () -> app.aws().ec2(),
                () -> app.aws().ssm()), app.log());
        return app;
    }
}
