package io.runnerscaler.lambda;

import java.io.PrintStream;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The apps a test stack's functions run on. On the plain emulator every function shares the one app with full
 * access; where IAM is enforced each function gets an app of its own, signing as the role the template, deployed
 * with {@code templateParameters}, gives it ({@link StackAccess#function}).
 */
final class FunctionApps {

    private final StackAccess access;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<PrintStream> out;
    private final Map<String, String> templateParameters;
    private final App fullAccess;
    private final Map<StackFunction, App> functions = new EnumMap<>(StackFunction.class);

    FunctionApps(StackAccess access, Settings settings, Clock clock, Supplier<PrintStream> out,
                 Map<String, String> templateParameters) {
        this.access = access;
        this.settings = settings;
        this.clock = clock;
        this.out = out;
        this.templateParameters = Map.copyOf(templateParameters);
        this.fullAccess = access.fullAccess(settings, clock, out.get());
    }

    /** The app with every action allowed: the tests' checks, and every function without IAM. */
    App fullAccess() {
        return fullAccess;
    }

    /** The app this function runs on. */
    App of(StackFunction function) {
        return functions.computeIfAbsent(function, f -> access.function(f, templateParameters)
                .map(clients -> new App(settings, clock, out.get(), clients)).orElse(fullAccess));
    }
}
