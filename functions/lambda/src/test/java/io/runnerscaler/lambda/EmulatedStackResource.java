package io.runnerscaler.lambda;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.Emulator;
import java.util.Map;

/** Provisions a stack on the emulator before Quarkus starts, and hands the app its settings. */
public class EmulatedStackResource implements QuarkusTestResourceLifecycleManager {

    static final String STACK = "rs-quarkus";

    @Override
    public Map<String, String> start() {
        Emulator.reset();
        var aws = new AwsEmulator().clients();
        Provisioner provisioner = new Provisioner(aws);
        var r = provisioner.create(STACK);
        provisioner.launchTemplate("runner-scaler-docker");
        provisioner.parameter("/runner-scaler/" + STACK + "/config", EmulatedStack.ONE_POOL, false);
        provisioner.parameter("/runner-scaler/" + STACK + "/gitlab", SampleEvents.GITLAB_TEST_TOKEN, true);
        return Map.of(
                Settings.REGION, AwsEmulator.REGION,
                Settings.AWS_ENDPOINT, Emulator.endpoint().toString(),
                Settings.STACK, STACK,
                Settings.CONFIG_PARAMETER, "/runner-scaler/" + STACK + "/config",
                Settings.QUEUE_URL, r.queueUrl(),
                Settings.DLQ_URL, r.dlqUrl(),
                Settings.MACHINES_TABLE, r.machinesTable(),
                Settings.JOBS_TABLE, r.jobsTable(),
                Settings.GITLAB_SECRET_PARAMETER, "/runner-scaler/" + STACK + "/gitlab",
                Settings.GITHUB_SECRET_PARAMETER, "/runner-scaler/" + STACK + "/github");
    }

    @Override
    public void stop() {
    }
}
