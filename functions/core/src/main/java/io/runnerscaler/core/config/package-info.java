/**
 * The pools configuration: records, and {@link io.runnerscaler.core.config.ConfigLoader}, which reads
 * the YAML (camelCase keys, durations as seconds or {@code 5m}-style units) and reports every problem at
 * once with its field path and line. {@code examples/pools.yaml} shows every key.
 */
package io.runnerscaler.core.config;
