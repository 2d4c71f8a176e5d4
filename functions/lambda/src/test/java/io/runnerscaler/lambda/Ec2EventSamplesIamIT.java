package io.runnerscaler.lambda;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Ec2EventSamplesIT} with each function under the role infra-sam/template.yaml gives it, IAM enforced. */
class Ec2EventSamplesIamIT extends Ec2EventSamplesIT {

    @RegisterExtension
    static final IamEnforcement iam = new IamEnforcement();

    @Override
    StackAccess access() {
        return iam;
    }
}
