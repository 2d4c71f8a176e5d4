package io.runnerscaler.core.port;

import java.util.Map;

/** Counts and measures (CloudWatch Embedded Metric Format in production). */
public interface Metrics {

    void count(String name, Map<String, String> dimensions, double value);

    default void count(String name, Map<String, String> dimensions) {
        count(name, dimensions, 1);
    }

    void milliseconds(String name, Map<String, String> dimensions, double millis);

    /** Discards everything, for callers that do not measure. */
    Metrics NONE = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }
    };
}
