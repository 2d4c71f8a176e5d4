package io.runnerscaler.testkit;

import io.runnerscaler.aws.AwsClients;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension for tests against the AWS emulator: uses the running server named by
 * {@code RUNNER_SCALER_AWS_ENDPOINT} (as {@code scripts/test.sh} starts it) or starts one, resets its
 * state before each test class, and builds real SDK clients pointed at it through the same
 * {@link AwsClients} production uses.
 *
 * <pre>{@code @RegisterExtension static final AwsEmulator emulator = new AwsEmulator();}</pre>
 */
public final class AwsEmulator implements BeforeAllCallback {

    public static final String REGION = "us-east-1";

    @Override
    public void beforeAll(ExtensionContext context) {
        Emulator.reset();
    }

    public static URI endpoint() {
        return Emulator.endpoint();
    }

    public static void reset() {
        Emulator.reset();
    }

    public AwsClients clients() {
        return AwsClients.create(REGION, Optional.of(endpoint()));
    }

    /** The repository root (kept here for tests that read events/ and infra-sam/). */
    public static final class ProjectRoot {
        private ProjectRoot() {
        }

        public static java.nio.file.Path find() {
            return Emulator.ProjectRoot.find();
        }
    }
}
