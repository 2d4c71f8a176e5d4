package io.runnerscaler.cli.config;

import java.util.List;

/**
 * What {@link GitLabRunnerImporter} made of a config.toml.
 *
 * @param yaml     the pools YAML, ready for {@code config validate}
 * @param pools    names of the pools written, one per imported runner
 * @param warnings every setting not carried over as is, in file order
 */
public record ImportResult(String yaml, List<String> pools, List<ImportWarning> warnings) {

    public ImportResult {
        pools = List.copyOf(pools);
        warnings = List.copyOf(warnings);
    }
}
