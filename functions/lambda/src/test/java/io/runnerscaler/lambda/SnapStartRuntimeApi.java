package io.runnerscaler.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What Lambda's runtime API (2018-06-01) answers a SnapStart function: {@code GET /runtime/restore/next} once the
 * runtime has run its {@code beforeCheckpoint} hooks (where Lambda takes the snapshot), then one event on
 * {@code GET /runtime/invocation/next}, and the function's answer on {@code .../response} or {@code .../error}.
 * When the runtime asks to be restored, {@code atSnapshot} is read: what the test wants to know about that moment.
 */
final class SnapStartRuntimeApi implements AutoCloseable {

    private static final String PREFIX = "/2018-06-01/runtime/";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "snapstart-runtime-api");
        t.setDaemon(true);
        return t;
    });
    private final Supplier<String> atSnapshot;
    private final byte[] event;
    private final String requestId = UUID.randomUUID().toString();
    /** What {@code atSnapshot} said when the runtime asked to be restored. */
    final CompletableFuture<String> snapshot = new CompletableFuture<>();
    /** The function's answer to the event, or an init or restore error. */
    final CompletableFuture<String> answer = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean handedOut;

    SnapStartRuntimeApi(Supplier<String> atSnapshot, byte[] event) throws IOException {
        this.atSnapshot = atSnapshot;
        this.event = event;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(threads);
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            switch (path) {
                case "restore/next" -> {
                    snapshot.complete(atSnapshot.get());
                    send(exchange, 200, new byte[0]);
                }
                case "invocation/next" -> next(exchange);
                case "init/error", "restore/error" -> {
                    answer.complete(path + ": " + new String(body, StandardCharsets.UTF_8));
                    send(exchange, 202, "{}".getBytes(StandardCharsets.UTF_8));
                }
                default -> {
                    if (path.equals("invocation/" + requestId + "/response")
                            || path.equals("invocation/" + requestId + "/error")) {
                        answer.complete(new String(body, StandardCharsets.UTF_8));
                        send(exchange, 202, "{}".getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(exchange, 404, "{}".getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    /** One event; later polls are held open, as Lambda holds them while no event waits. */
    private void next(HttpExchange exchange) throws IOException {
        if (handedOut) {
            closed.completeOnTimeout(null, 120, TimeUnit.SECONDS).join();
            send(exchange, 500, new byte[0]);
            return;
        }
        handedOut = true;
        var h = exchange.getResponseHeaders();
        h.add("Content-Type", "application/json");
        h.add("Lambda-Runtime-Aws-Request-Id", requestId);
        h.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
        h.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:rs-test:live");
        send(exchange, 200, event);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException gone) {
            // the function's process ended while a poll was held
        }
    }

    @Override
    public void close() {
        closed.complete(null);
        server.stop(0);
        threads.shutdownNow();
    }
}
