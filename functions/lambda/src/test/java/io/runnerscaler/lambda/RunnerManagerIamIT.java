package io.runnerscaler.lambda;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RunnerManagerIT} with each function under the role infra-sam/template.yaml gives it, IAM enforced. */
class RunnerManagerIamIT extends RunnerManagerIT {

    @RegisterExtension
    static final IamEnforcement iam = new IamEnforcement();

    @Override
    StackAccess access() {
        return iam;
    }
}
