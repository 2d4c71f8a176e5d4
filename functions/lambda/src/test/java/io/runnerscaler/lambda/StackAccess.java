package io.runnerscaler.lambda;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * How a test stack reaches AWS: full access for creating its resources and checking them, and, where the
 * emulator enforces IAM ({@link IamEnforcement}), clients for each function that sign as the role the template
 * gives that function.
 */
interface StackAccess {

    /** Clients for the stack's set-up and the test's checks: every action allowed. */
    AwsClients admin();

    /** An app with every action allowed, at the settings' endpoint: what the functions share without IAM. */
    App fullAccess(Settings settings, Clock clock, PrintStream out);

    /** The endpoint the functions' settings name. */
    URI endpoint();

    /** Clears the emulator's state, before a stack is created on it. */
    void reset();

    /**
     * Clients for one function, signing as its template role, for a stack deployed with these template
     * parameters; empty where the emulator checks no IAM, and every function may share one app.
     */
    Optional<AwsClients> function(StackFunction function, Map<String, String> templateParameters);

    /** The plain test emulator: dummy credentials, no IAM. */
    static StackAccess of(AwsEmulator emulator) {
        return new StackAccess() {
            @Override
            public AwsClients admin() {
                return emulator.clients();
            }

            @Override
            public App fullAccess(Settings settings, Clock clock, PrintStream out) {
                return new App(settings, clock, out);
            }

            @Override
            public URI endpoint() {
                return AwsEmulator.endpoint();
            }

            @Override
            public void reset() {
                AwsEmulator.reset();
            }

            @Override
            public Optional<AwsClients> function(StackFunction function, Map<String, String> templateParameters) {
                return Optional.empty();
            }
        };
    }
}
