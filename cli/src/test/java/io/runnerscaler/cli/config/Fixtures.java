package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The config.toml and pools YAML fixtures next to these tests, and the secrets they hold. */
final class Fixtures {

    static final List<String> TOML_FIXTURES = List.of("autoscaling-periods.toml", "multi-runner.toml",
            "no-docker-machine.toml", "malformed.toml", "missing-fields.toml", "wrong-types.toml",
            "issue-scenario.toml", "autoscaler/every-key.toml", "autoscaler/instance-aws-mac.toml");

    /** Fixtures holding at least one runner the importer turns into a pool. */
    static final List<String> IMPORTABLE = List.of("autoscaling-periods.toml", "multi-runner.toml",
            "missing-fields.toml", "issue-scenario.toml", "autoscaler/every-key.toml", "autoscaler/instance-aws-mac.toml");

    /** Credentials in the fixtures besides the runner tokens; none may ever be printed. */
    private static final List<String> OTHER_SECRETS = List.of(
            "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
            "AKIACACHEACCESSKEY01", "cacheSECRETkeyNEVERprintedXYZ0123456789", "f00dfeedkeyNEVERprinted",
            "nested-vm-password", "macos-key.pem");
    private static final Pattern RUNNER_TOKEN = Pattern.compile("glrt-[A-Za-z0-9_]+");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Fixtures() {
    }

    static String read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every runner token and credential written in the fixture. */
    static List<String> secretsIn(String toml) {
        var secrets = new ArrayList<String>();
        RUNNER_TOKEN.matcher(toml).results().forEach(m -> secrets.add(m.group()));
        OTHER_SECRETS.stream().filter(toml::contains).forEach(secrets::add);
        return secrets;
    }

    static JsonNode yamlTree(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
