package io.runnerscaler.lambda;

/** The stack's four functions, by the handler name the template selects; each runs under a role of its own. */
enum StackFunction {
    WEBHOOK("webhook"), SCALE_UP("scale-up"), REAPER("reaper"), EC2_EVENTS("ec2-events");

    /** Its {@code QUARKUS_LAMBDA_HANDLER} in infra-sam/template.yaml. */
    final String handler;

    StackFunction(String handler) {
        this.handler = handler;
    }
}
