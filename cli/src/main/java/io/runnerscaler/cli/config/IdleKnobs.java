package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The four idle knobs of a pool or of one period, under their pools YAML names, as an import writes them. */
record IdleKnobs(int idleCount, int idleCountMin, double idleScaleFactor, long idleTimeSeconds) {

    void writeTo(ObjectNode node) {
        node.put("idleCount", idleCount);
        node.put("idleCountMin", idleCountMin);
        node.put("idleScaleFactor", idleScaleFactor);
        node.put("idleTime", idleTimeSeconds);
    }
}
