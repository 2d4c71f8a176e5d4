package io.runnerscaler.lambda;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link StoppedPoolIT} with each function under the role infra-sam/template.yaml gives it, IAM enforced: the
 * reaper refills with RunInstances, stops with StopInstances and reads the image parameter with GetParameter,
 * scale-up starts with StartInstances.
 */
class StoppedPoolIamIT extends StoppedPoolIT {

    @RegisterExtension
    static final IamEnforcement iam = new IamEnforcement();

    @Override
    StackAccess access() {
        return iam;
    }
}
