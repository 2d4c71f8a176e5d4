package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job recorded unmatched does not stay so once the operator adds a pool for it: the reaper's first pass after the
 * new config is loaded matches the queued unmatched jobs again (through the planner, reason CONFIG_CHANGED), and
 * the same pass launches the job's machine.
 */
class UnmatchedRematchIT {

    private static final String NO_UNTAGGED = EmulatedStack.ONE_POOL.replace("runUntagged: true",
            "runUntagged: false\n    labels: [docker]");

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    EmulatedStack stack;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link UnmatchedRematchIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void provision() {
        access().reset();
        stack = new EmulatedStack(access(), NO_UNTAGGED);
    }

    @Test
    void aQueuedJobNoPoolTookIsLaunchedForOnceANewConfigHasAPoolForIt() {
        assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null)
                .getStatusCode()).isEqualTo(202);
        stack.pump().drain();
        var ledger = new DynamoJobLedger(stack.aws.dynamo(), stack.resources.jobsTable());
        assertThat(ledger.find("gitlab:1977").orElseThrow().pool()).as("recorded unmatched").isEmpty();
        ReaperHandler reaper = stack.reaper();
        reaper.handleRequest(Map.of(), null);
        assertThat(stack.app.machines().alive("docker")).isEmpty();

        new Provisioner(stack.aws).parameter(EmulatedStack.CONFIG_PARAMETER, EmulatedStack.ONE_POOL, false);
        stack.clock.advance(Duration.ofSeconds(61));
        reaper.handleRequest(Map.of(), null);

        assertThat(ledger.find("gitlab:1977").orElseThrow()).satisfies(j -> {
            assertThat(j.pool()).contains("docker");
            assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
        });
        assertThat(ledger.unmatched(JobStatus.QUEUED)).isEmpty();
        assertThat(stack.app.machines().alive("docker")).as("launched in the same pass").hasSize(1);
        assertThat(stack.logs()).contains("\"event\":\"job.rematched\"").contains("\"reason\":\"CONFIG_CHANGED\"");
    }
}
