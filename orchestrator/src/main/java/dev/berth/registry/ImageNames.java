package dev.berth.registry;

import java.util.Locale;

/** The parts of an image reference berth needs, read the way Docker reads them: its registry and its repository. */
public final class ImageNames
{
    /** Docker Hub: the registry of a reference whose first part names no host. */
    public static final String DOCKER_HUB = "docker.io";

    private ImageNames() {}

    /**
     * The registry host of {@code image}, with its port: {@code 127.0.0.1:5443} for
     * {@code 127.0.0.1:5443/berth/busybox:1}, {@code docker.io} for {@code busybox:1} or {@code library/busybox}.
     */
    public static String registry(String image)
    {
        int slash = image.indexOf('/');
        if (slash < 0) {
            return DOCKER_HUB;
        }
        String first = image.substring(0, slash);
        // Docker's rule: only a first part that looks like a host (a dot, a port, or localhost) names a registry
        if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
            return DOCKER_HUB;
        }
        return host(first);
    }

    /** The reference without its tag or digest: {@code 127.0.0.1:5443/berth/busybox} for {@code 127.0.0.1:5443/berth/busybox:1}. */
    public static String repository(String image)
    {
        int at = image.indexOf('@');
        String name = at < 0 ? image : image.substring(0, at);
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? name.substring(0, colon) : name;
    }

    /**
     * The registry a key of docker's config.json stands for: keys may carry a scheme and a path
     * ({@code https://index.docker.io/v1/}), and Docker Hub goes by several names.
     */
    static String host(String key)
    {
        String host = key.strip().toLowerCase(Locale.ROOT);
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int path = host.indexOf('/');
        if (path >= 0) {
            host = host.substring(0, path);
        }
        return switch (host) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> DOCKER_HUB;
            default -> host;
        };
    }
}
