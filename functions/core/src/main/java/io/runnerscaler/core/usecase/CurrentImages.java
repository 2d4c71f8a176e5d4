package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ImageIds;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The image each pool launches now, for one reaper pass: the pool's {@code ami}, or the stack's runner image for a
 * pool on the stack's runner template (no {@code launchTemplate} of its own). A {@code resolve:ssm:<parameter>}
 * image is what EC2 resolves at each launch, so it is read from that parameter, once per pass however many pools
 * name it. A parameter that is missing, unreadable or holds no AMI id leaves the image unknown (nothing is retired
 * for its image) and is logged; it never fails the pass.
 */
final class CurrentImages {

    static final String RESOLVE_SSM = "resolve:ssm:";

    private final ImageIds images;
    private final Optional<String> stackImage;
    private final EventLog log;
    private final Map<String, Optional<String>> read = new HashMap<>();

    CurrentImages(ImageIds images, Optional<String> stackImage, EventLog log) {
        this.images = images;
        this.stackImage = stackImage;
        this.log = log;
    }

    Optional<String> of(PoolConfig pool) {
        Optional<String> image = pool.ami().or(() -> pool.launchTemplate().isEmpty() ? stackImage : Optional.empty());
        if (image.isEmpty()) {
            return Optional.empty();
        }
        if (image.get().startsWith("ami-")) {
            return image;
        }
        if (!image.get().startsWith(RESOLVE_SSM)) {
            return Optional.empty();
        }
        return read.computeIfAbsent(image.get().substring(RESOLVE_SSM.length()), this::lookUp);
    }

    private Optional<String> lookUp(String parameter) {
        try {
            Optional<String> id = images.imageId(parameter);
            if (id.isEmpty()) {
                log.warn("image.unknown", Map.of("parameter", parameter, "reason", "PARAMETER_NOT_FOUND"));
            } else if (!id.get().startsWith("ami-")) {
                log.warn("image.unknown", Map.of("parameter", parameter, "reason", "NOT_AN_IMAGE_ID"));
                return Optional.empty();
            }
            return id;
        } catch (RuntimeException e) {
            log.warn("image.unknown", Map.of("parameter", parameter, "reason", "READ_FAILED",
                    "error", e.getClass().getSimpleName(), "detail", String.valueOf(e.getMessage())));
            return Optional.empty();
        }
    }
}
