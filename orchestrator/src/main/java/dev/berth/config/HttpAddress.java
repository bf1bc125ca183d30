package dev.berth.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where {@code berth serve} answers HTTP (dashboard, API, metrics): {@code host:port}, or {@code off}.
 * Port 0 takes any free port, as tests do.
 */
public record HttpAddress(String host, int port)
{
    public static final String OFF = "off";

    public HttpAddress
    {
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65535) {
            throw new ConfigException("BERTH_HTTP_ADDRESS port must be between 0 and 65535, got " + port);
        }
    }

    /** {@code host:port} (an IPv6 host in brackets), or empty for {@code off}. */
    public static Optional<HttpAddress> parse(String text)
    {
        if (text.strip().equalsIgnoreCase(OFF)) {
            return Optional.empty();
        }
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            if (host.isEmpty()) {
                throw new NumberFormatException();
            }
            return Optional.of(new HttpAddress(host, Integer.parseInt(text.substring(colon + 1))));
        }
        catch (NumberFormatException e) {
            throw new ConfigException("BERTH_HTTP_ADDRESS must be host:port such as 127.0.0.1:8080, or off; got '" + text + "'");
        }
    }

    /**
     * Only this machine can connect: no token is asked for, as anyone who can reach it already has a
     * shell on the manager. A name is resolved, so {@code localhost} counts and a name that could be
     * anything does not.
     */
    public boolean loopback()
    {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        }
        catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString()
    {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
