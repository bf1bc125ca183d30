package dev.berth.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A stand-in for EC2's instance metadata service as IMDSv2 answers it: a session token from
 * {@code PUT /latest/api/token} (which needs the TTL header), then the documents, each only with that
 * token ({@code 401} without). {@code spot/instance-action} and {@code events/recommendations/rebalance}
 * answer their document when one is set, else {@code 404}, as for an instance with no notice;
 * {@code instance-id} and {@code placement/region} always answer {@link #INSTANCE_ID} and {@link #REGION}. Run
 * in-process, or by {@link #main} in another network namespace, where a worker's agent finds it.
 */
public final class MetadataStandIn
        implements AutoCloseable
{
    public static final String INSTANCE_ACTION = "/latest/meta-data/spot/instance-action";
    public static final String REBALANCE = "/latest/meta-data/events/recommendations/rebalance";
    public static final String INSTANCE_ID = "i-0123456789abcdef0";
    public static final String REGION = "eu-west-1";

    private final HttpServer server;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger documentsServed = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    private MetadataStandIn(HttpServer server, Optional<String> instanceAction, Optional<String> rebalance)
    {
        this.server = requireNonNull(server, "server is null");
        server.createContext("/latest/api/token", this::token);
        server.createContext(INSTANCE_ACTION, exchange -> document(exchange, instanceAction));
        server.createContext(REBALANCE, exchange -> document(exchange, rebalance));
        server.createContext("/latest/meta-data/instance-id", exchange -> document(exchange, Optional.of(INSTANCE_ID)));
        server.createContext("/latest/meta-data/placement/region", exchange -> document(exchange, Optional.of(REGION)));
        server.createContext("/", exchange -> answer(exchange, 404, "Not Found"));
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "metadata-stand-in");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /** On {@code address}, any free port when {@code port} is 0; an empty document answers 404. */
    public static MetadataStandIn start(InetAddress address, int port, Optional<String> instanceAction, Optional<String> rebalance)
            throws IOException
    {
        return new MetadataStandIn(HttpServer.create(new InetSocketAddress(address, port), 16), instanceAction, rebalance);
    }

    /** Serves until killed: {@code ADDRESS PORT INSTANCE_ACTION_JSON} ({@code none}: no notice). Prints its URL once it listens. */
    public static void main(String[] args)
            throws Exception
    {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: MetadataStandIn ADDRESS PORT INSTANCE_ACTION_JSON");
        }
        MetadataStandIn standIn = start(InetAddress.getByName(args[0]), Integer.parseInt(args[1]),
                Optional.of(args[2]).filter(document -> !document.equals("none")), Optional.empty());
        System.out.println("serving " + standIn.url());
        System.out.flush();
        Thread.currentThread().join();
    }

    public String url()
    {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** How many documents it has answered with a valid token, 404s included. */
    public int documentsServed()
    {
        return documentsServed.get();
    }

    /** How many requests it refused: a token asked for without a TTL, a document without a valid token. */
    public int refused()
    {
        return refused.get();
    }

    private void token(HttpExchange exchange)
            throws IOException
    {
        String ttl = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
        if (!exchange.getRequestMethod().equals("PUT") || ttl == null || !ttl.matches("[0-9]{1,5}") || Integer.parseInt(ttl) < 1 || Integer.parseInt(ttl) > 21600) {
            refused.incrementAndGet();
            answer(exchange, 400, "Bad Request");
            return;
        }
        String token = UUID.randomUUID().toString();
        tokens.add(token);
        answer(exchange, 200, token);
    }

    private void document(HttpExchange exchange, Optional<String> document)
            throws IOException
    {
        String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
        if (!exchange.getRequestMethod().equals("GET") || token == null || !tokens.contains(token)) {
            refused.incrementAndGet();
            answer(exchange, 401, "Unauthorized");
            return;
        }
        documentsServed.incrementAndGet();
        if (document.isPresent()) {
            answer(exchange, 200, document.get());
        }
        else {
            answer(exchange, 404, "Not Found");
        }
    }

    private static void answer(HttpExchange exchange, int status, String body)
            throws IOException
    {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
