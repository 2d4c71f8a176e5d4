package io.runnerscaler.core.port;

import java.util.Map;

/**
 * Structured log of decisions and notable events: one JSON line each, with pool, job, instance and
 * delivery ids and a reason. Never secrets, never payloads.
 */
public interface EventLog {

    void info(String event, Map<String, ?> fields);

    void warn(String event, Map<String, ?> fields);

    EventLog NONE = new EventLog() {
        @Override
        public void info(String event, Map<String, ?> fields) {
        }

        @Override
        public void warn(String event, Map<String, ?> fields) {
        }
    };
}
