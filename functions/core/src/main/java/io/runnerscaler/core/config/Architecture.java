package io.runnerscaler.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The CPU architecture of EC2 instance types, as GitHub's runner labels name it. */
public enum Architecture {
    X64("x86_64"),
    ARM64("arm64");

    /** Graviton families carry a {@code g} after the generation ({@code m7g}, {@code c6gn}, {@code t4g}) or are {@code a1}. */
    private static final Pattern GRAVITON = Pattern.compile("(a1|[a-z]+\\d+[a-z-]*g[a-z-]*)\\..*");

    private final String imageArchitecture;

    Architecture(String imageArchitecture) {
        this.imageArchitecture = imageArchitecture;
    }

    public static Architecture of(String instanceType) {
        return GRAVITON.matcher(instanceType.toLowerCase(Locale.ROOT)).matches() ? ARM64 : X64;
    }

    /** The label GitHub gives a self-hosted runner on this architecture. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** How EC2 names it for an image ({@code x86_64}, {@code arm64}: DescribeImages' {@code architecture}). */
    public String imageArchitecture() {
        return imageArchitecture;
    }

    /** By EC2's image name ({@code x86_64}, {@code arm64}). */
    public static Optional<Architecture> ofImage(String name) {
        for (Architecture a : values()) {
            if (a.imageArchitecture.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Whether the types mix architectures, which one launch template's image cannot serve. */
    static boolean mixed(List<String> instanceTypes) {
        return instanceTypes.stream().map(Architecture::of).distinct().count() > 1;
    }
}
