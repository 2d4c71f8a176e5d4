package io.runnerscaler.lambda;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link PlannedTerminationsIT} with each function under the role infra-sam/template.yaml gives it, IAM
 * enforced: scale-up's plan ends machines, so its role needs TerminatePolicy.
 */
class PlannedTerminationsIamIT extends PlannedTerminationsIT {

    @RegisterExtension
    static final IamEnforcement iam = new IamEnforcement();

    @Override
    StackAccess access() {
        return iam;
    }
}
