package dev.berth.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for the EC2 Auto Scaling Query API on 127.0.0.1, since AWS itself cannot be reached here: it
 * records every call the AWS SDK's client makes (its form parameters) and answers the four berth makes,
 * keeping each group's desired capacity. Not an Auto Scaling implementation: only what lets a test assert
 * the calls berth makes, and see the counts they leave.
 */
public final class AutoScalingStandIn
        implements AutoCloseable
{
    private static final String NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    private final HttpServer server;
    private final List<Map<String, String>> calls = new ArrayList<>();
    private final Map<String, Integer> desired = new HashMap<>();

    private AutoScalingStandIn(HttpServer server)
    {
        this.server = server;
    }

    public static AutoScalingStandIn start()
    {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            AutoScalingStandIn standIn = new AutoScalingStandIn(server);
            server.createContext("/", standIn::answer);
            server.start();
            return standIn;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint()
    {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public synchronized AutoScalingStandIn withGroup(String name, int desiredCapacity)
    {
        desired.put(name, desiredCapacity);
        return this;
    }

    public synchronized int desired(String group)
    {
        return desired.get(group);
    }

    /** Every call's form parameters, {@code Action} among them, in the order they came. */
    public synchronized List<Map<String, String>> calls()
    {
        return List.copyOf(calls);
    }

    private void answer(HttpExchange exchange)
            throws IOException
    {
        Map<String, String> form = new TreeMap<>();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        String action = form.getOrDefault("Action", "");
        String result;
        int status = 200;
        synchronized (this) {
            calls.add(new LinkedHashMap<>(form));
            result = switch (action) {
                case "DescribeAutoScalingGroups" -> describe(form.get("AutoScalingGroupNames.member.1"));
                case "SetDesiredCapacity" -> {
                    desired.put(form.get("AutoScalingGroupName"), Integer.parseInt(form.get("DesiredCapacity")));
                    yield "";
                }
                case "SetInstanceProtection" -> "<SetInstanceProtectionResult/>";
                case "TerminateInstanceInAutoScalingGroup" -> {
                    if (Boolean.parseBoolean(form.get("ShouldDecrementDesiredCapacity"))) {
                        // The stand-in holds one group per test: the instance is in it
                        desired.replaceAll((group, count) -> count - 1);
                    }
                    yield "<TerminateInstanceInAutoScalingGroupResult><Activity><ActivityId>a-1</ActivityId><AutoScalingGroupName>g</AutoScalingGroupName>"
                            + "<Cause>terminated by berth</Cause><StartTime>2026-12-02T05:00:00Z</StartTime><StatusCode>InProgress</StatusCode><Progress>0</Progress>"
                            + "</Activity></TerminateInstanceInAutoScalingGroupResult>";
                }
                default -> null;
            };
        }
        String xml;
        if (result == null) {
            status = 400;
            xml = "<ErrorResponse xmlns=\"" + NAMESPACE + "\"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not in the stand-in: "
                    + action + "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
        }
        else {
            xml = "<" + action + "Response xmlns=\"" + NAMESPACE + "\">" + result + "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></" + action + "Response>";
        }
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private String describe(String group)
    {
        if (group == null || !desired.containsKey(group)) {
            return "<DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult>";
        }
        return "<DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>" + group + "</AutoScalingGroupName>"
                + "<MinSize>0</MinSize><MaxSize>10</MaxSize><DesiredCapacity>" + desired.get(group) + "</DesiredCapacity>"
                + "<DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>us-east-1a</member></AvailabilityZones>"
                + "<HealthCheckType>EC2</HealthCheckType><CreatedTime>2026-12-01T00:00:00Z</CreatedTime></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>";
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
