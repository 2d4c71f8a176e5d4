package io.runnerscaler.core.runner;

import io.runnerscaler.core.config.PoolConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a pool's runner bootstrap script (infra-sam/runner/*.sh, packaged under {@code runner-bootstrap/})
 * into EC2 user-data. Each {@code '{{NAME}}'} placeholder becomes the value in single quotes, so no value can
 * break out of its assignment. Secrets are never rendered: scripts fetch them at boot.
 */
public final class UserData {

    /** EC2 refuses user-data above 16 KB (before base64). */
    public static final int MAX_BYTES = 16 * 1024;

    private static final Pattern PLACEHOLDER = Pattern.compile("'\\{\\{([A-Z_]+)}}'");
    private static final Pattern COMMENT_LINE = Pattern.compile("\\s*#.*");
    /** A line naming a shared piece of the bootstraps ({@code stopped-pool.sh}: every boot, the stopped pool). */
    private static final Pattern INCLUDE = Pattern.compile("(?m)^# runner-scaler:include ([a-z-]+\\.sh)$");

    private final String gitlabTemplate;
    private final String githubTemplate;

    public UserData() {
        this.gitlabTemplate = template("gitlab-runner.sh");
        this.githubTemplate = template("github-runner.sh");
    }

    public String render(PoolConfig pool, BootstrapSettings settings) {
        var values = new LinkedHashMap<String, String>();
        values.put("POOL", pool.name());
        values.put("IDLE_TIMEOUT_SECONDS", Long.toString(settings.safetyIdleTimeout().toSeconds()));
        values.put("MAX_LIFETIME_SECONDS", Long.toString(settings.maxLifetime().toSeconds()));
        String template = switch (pool.forge()) {
            case GITLAB -> {
                values.put("GITLAB_URL", stripTrailingSlash(settings.gitlabUrl()));
                values.put("TOKEN_PARAMETER", pool.tokenParameter().orElseThrow(() -> new IllegalArgumentException(
                        "pool '" + pool.name() + "': tokenParameter is required for GitLab pools")));
                values.put("MAX_BUILDS", Integer.toString(Math.max(0, pool.maxBuilds())));
                values.put("DOCKER_IMAGE", settings.dockerImage());
                yield gitlabTemplate;
            }
            case GITHUB -> {
                values.put("SECRETS_TABLE", settings.secretsTable());
                values.put("SECRET_WAIT_SECONDS", Long.toString(settings.secretWait().toSeconds()));
                yield githubTemplate;
            }
        };
        String script = withoutCommentLines(substitute(template, values, pool.name()));
        int bytes = script.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalStateException("pool '" + pool.name() + "': user-data is " + bytes
                    + " bytes, EC2 accepts at most " + MAX_BYTES);
        }
        return script;
    }

    /**
     * The script without its whole-line comments (the shebang stays): they explain the files in the repository, and
     * EC2 counts every byte of user-data.
     */
    static String withoutCommentLines(String script) {
        var out = new StringBuilder();
        boolean first = true;
        for (String line : script.split("\n", -1)) {
            if (!first && COMMENT_LINE.matcher(line).matches()) {
                continue;
            }
            out.append(line).append('\n');
            first = false;
        }
        return out.substring(0, out.length() - 1);
    }

    /** A value in single quotes; an embedded quote becomes {@code '\''}. */
    static String shellQuote(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("value contains a control character at " + i);
            }
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String substitute(String template, Map<String, String> values, String pool) {
        Matcher m = PLACEHOLDER.matcher(template);
        var out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalStateException("pool '" + pool + "': no value for placeholder " + name);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(shellQuote(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String template(String name) {
        String path = "/runner-bootstrap/" + name;
        try (InputStream in = UserData.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("bootstrap template " + path + " is not on the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = INCLUDE.matcher(text);
            var out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(template(m.group(1)).stripTrailing()));
            }
            m.appendTail(out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("reading bootstrap template " + path, e);
        }
    }
}
