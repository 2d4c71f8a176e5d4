package io.runnerscaler.core.memory;

import io.runnerscaler.core.port.ImageIds;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Image parameters held in memory, as the image pipeline would have written them; a parameter can be made to fail. */
public final class InMemoryImageIds implements ImageIds {

    private final Map<String, String> images = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private int reads;

    /** The pipeline published {@code imageId} under {@code parameter}. */
    public synchronized void put(String parameter, String imageId) {
        images.put(parameter, imageId);
    }

    /** Reading {@code parameter} fails from now on, as a denied or throttled GetParameter does. */
    public synchronized void fail(String parameter) {
        failing.add(parameter);
    }

    @Override
    public synchronized Optional<String> imageId(String parameter) {
        reads++;
        if (failing.contains(parameter)) {
            throw new IllegalStateException("parameter " + parameter + " could not be read");
        }
        return Optional.ofNullable(images.get(parameter));
    }

    /** How many lookups were made. */
    public synchronized int reads() {
        return reads;
    }
}
