package io.runnerscaler.aws;

/** The tag keys this project puts on everything it launches; IAM conditions in the template rely on them. */
public final class Tags {

    public static final String STACK = "runner-scaler:stack";
    public static final String POOL = "runner-scaler:pool";
    public static final String FORGE = "runner-scaler:forge";
    public static final String JOB = "runner-scaler:job";
    public static final String MANAGED_BY = "managed-by";
    public static final String MANAGED_BY_VALUE = "runner-scaler";

    private Tags() {
    }
}
