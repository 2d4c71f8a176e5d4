package io.runnerscaler.aws;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.port.Fleet.LaunchFailure;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateSpecificationRequest;

/** Which launch template version a pool's machines launch from; asked before each CreateFleet. */
public interface LaunchTemplates {

    /**
     * The pool's template as it is named, at {@code $Latest}, with {@code ami} as a CreateFleet override: the
     * scaler adds no user-data. For tests and tools that launch from a template they made themselves.
     */
    LaunchTemplates AS_NAMED = pool -> new Version(FleetLaunchTemplateSpecificationRequest.builder()
            .launchTemplateName(pool.launchTemplate()).version("$Latest").build(), false);

    /** @throws Unusable when no version can be launched for this pool (its failure says why) */
    Version forPool(PoolConfig pool);

    /** A launch from the pool's version failed with a launch template error: look it up again next time. */
    default void forget(PoolConfig pool) {
    }

    /**
     * @param spec          what CreateFleet launches from
     * @param carriesImage  the version already has the pool's {@code ami}, so no override is needed
     */
    record Version(FleetLaunchTemplateSpecificationRequest spec, boolean carriesImage) {
    }

    /** The pool cannot be launched: a configuration problem, or EC2 failing to answer. */
    final class Unusable extends RuntimeException {
        private final transient LaunchFailure failure;

        public Unusable(LaunchFailure failure) {
            super(failure.message());
            this.failure = failure;
        }

        public LaunchFailure failure() {
            return failure;
        }
    }
}
