package io.runnerscaler.core.model;

/** The CI service a job comes from. */
public enum Forge {
    GITLAB,
    GITHUB;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Forge fromId(String id) {
        return switch (id) {
            case "gitlab" -> GITLAB;
            case "github" -> GITHUB;
            default -> throw new IllegalArgumentException("unknown forge '" + id + "' (expected gitlab or github)");
        };
    }
}
