package io.runnerscaler.benchmarks.coldstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Java runtime's floor: a handler that reads the event and answers a constant 202, no framework, no SDK.
 * What a fresh JVM under the runtime interface client costs before any of the function's own work.
 */
public final class RuntimeFloor implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write("{\"statusCode\":202,\"body\":\"{}\"}".getBytes(StandardCharsets.UTF_8));
    }
}
