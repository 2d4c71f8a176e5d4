package io.runnerscaler.core.port;

import java.util.Optional;

/**
 * The runner image ids the image pipeline publishes, by the SSM parameter a {@code resolve:ssm:} image names (SSM
 * Parameter Store in production): what EC2 launches a pool with now, so the reaper can retire stopped machines built
 * from an older image.
 */
public interface ImageIds {

    /** Knows no image: every lookup finds nothing. */
    ImageIds NONE = parameter -> Optional.empty();

    /**
     * The image id the parameter holds now; empty when there is no such parameter. Throws when it cannot be read
     * (denied, throttled, unreachable).
     */
    Optional<String> imageId(String parameter);
}
