package dev.berth.repo;

import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A repository location as berth connects to it. Parsing refuses anything carrying a secret, so a
 * {@code RepoUrl} is always safe to log, list and write into {@code job.json}.
 *
 * @param scheme one of https, ssh, git, file
 * @param user the ssh login name (e.g. {@code git}); empty for other schemes
 * @param host lower-case host name; empty for file URLs
 * @param port explicit port, if any
 * @param path absolute path on the server, exactly as given (a trailing {@code .git} is kept)
 */
public record RepoUrl(String scheme, String user, String host, OptionalInt port, String path)
{
    private static final Pattern WITH_SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/]*)(.*)");
    // user@host:path, as git itself reads it; the user is required so "host:8080/x" is not taken for ssh
    private static final Pattern SCP_LIKE = Pattern.compile("([^/@:]+)@([^/:]+):(?!//)(.+)");
    private static final Pattern AUTHORITY = Pattern.compile("(?:([^@]*)@)?([^@:]*)(?::([0-9]*))?");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
    private static final String ACCEPTED = "accepted forms: https://host/org/repo, host/org/repo (https), ssh://git@host/org/repo, "
            + "git@host:org/repo.git, git://host/org/repo, file:///path/to/repo";

    public RepoUrl
    {
        requireNonNull(scheme, "scheme is null");
        requireNonNull(user, "user is null");
        requireNonNull(host, "host is null");
        requireNonNull(port, "port is null");
        requireNonNull(path, "path is null");
    }

    /**
     * Parses and validates a user-supplied {@code repo_uri}.
     *
     * @throws IllegalArgumentException with a message fit to show the user; it never repeats a secret
     */
    public static RepoUrl parse(String raw)
    {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("repo_uri is empty; " + ACCEPTED);
        }
        String text = raw.strip();
        if (text.chars().anyMatch(c -> c <= ' ' || c == '\\' || c == 0x7f)) {
            throw new IllegalArgumentException("repo_uri must not contain spaces, control characters or backslashes; " + ACCEPTED);
        }

        Matcher withScheme = WITH_SCHEME.matcher(text);
        if (withScheme.matches()) {
            String scheme = withScheme.group(1).toLowerCase(Locale.ROOT);
            return switch (scheme) {
                case "https", "ssh", "git" -> network(scheme, withScheme.group(2), withScheme.group(3));
                case "file" -> file(withScheme.group(2), withScheme.group(3));
                default -> throw new IllegalArgumentException("repo_uri scheme '" + scheme + "' is not supported; " + ACCEPTED);
            };
        }
        if (text.contains("://") || text.startsWith("/")) {
            throw new IllegalArgumentException("repo_uri is not a repository URL; " + ACCEPTED);
        }
        Matcher scpLike = SCP_LIKE.matcher(text);
        if (scpLike.matches()) {
            String path = scpLike.group(3);
            return network("ssh", scpLike.group(1) + "@" + scpLike.group(2), path.startsWith("/") ? path : "/" + path);
        }
        // No scheme: "github.com/org/repo" means https
        int slash = text.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("repo_uri has no repository path; " + ACCEPTED);
        }
        return network("https", text.substring(0, slash), text.substring(slash));
    }

    private static RepoUrl network(String scheme, String authority, String path)
    {
        Matcher matcher = AUTHORITY.matcher(authority);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("repo_uri has an invalid host part; " + ACCEPTED);
        }
        String userInfo = matcher.group(1);
        String host = matcher.group(2).toLowerCase(Locale.ROOT);
        String port = matcher.group(3);
        String safeUrl = scheme + "://" + host + (port == null ? "" : ":" + port) + path;
        if (userInfo != null && (!scheme.equals("ssh") || userInfo.contains(":") || userInfo.isEmpty())) {
            // Never echo userInfo: it is a token or password
            throw new IllegalArgumentException("repo_uri '" + safeUrl + "' contains credentials; remove them from the URL "
                    + "and configure BERTH_GIT_TOKEN (https) or BERTH_GIT_SSH_KEY (ssh) instead");
        }
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("repo_uri '" + safeUrl + "' has an invalid host name '" + host + "'");
        }
        OptionalInt parsedPort = OptionalInt.empty();
        if (port != null) {
            int value = port.isEmpty() || port.length() > 5 ? 0 : Integer.parseInt(port);
            if (value < 1 || value > 65535) {
                throw new IllegalArgumentException("repo_uri '" + safeUrl + "' has an invalid port '" + port + "'");
            }
            parsedPort = OptionalInt.of(value);
        }
        return new RepoUrl(scheme, userInfo == null ? "" : userInfo, host, parsedPort, checkedPath(safeUrl, path));
    }

    private static RepoUrl file(String authority, String path)
    {
        if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
            throw new IllegalArgumentException("repo_uri file URL must name a local path, like file:///srv/git/repo, not host '" + authority.replaceFirst(".*@", "") + "'");
        }
        return new RepoUrl("file", "", "", OptionalInt.empty(), checkedPath("file://" + path, path));
    }

    private static String checkedPath(String safeUrl, String path)
    {
        String trimmed = path.replaceAll("/+$", "");
        if (mirrorName(trimmed).isEmpty()) {
            throw new IllegalArgumentException("repo_uri '" + safeUrl + "' has no repository path after the host");
        }
        for (String segment : mirrorName(trimmed).substring(1).split("/", -1)) {
            // The path becomes a directory under the mirrors root: it must not be able to leave it
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith("~") || segment.contains("?") || segment.contains("#")) {
                throw new IllegalArgumentException("repo_uri '" + safeUrl + "' has an invalid path segment '" + segment + "'");
            }
        }
        return trimmed;
    }

    private static String mirrorName(String path)
    {
        return path.endsWith(".git") ? path.substring(0, path.length() - ".git".length()) : path;
    }

    /** The URL JGit connects to. Holds no credentials. */
    public String uri()
    {
        return switch (scheme) {
            case "file" -> "file://" + path;
            default -> scheme + "://" + (user.isEmpty() ? "" : user + "@") + host + (port.isPresent() ? ":" + port.getAsInt() : "") + path;
        };
    }

    /**
     * Where this repository's mirror lives: {@code <root>/<host>/<path>.git}, or {@code <root>/local/<path>.git}
     * for file URLs. The scheme and user are left out, so https and ssh URLs of one repository share a mirror.
     */
    public Path mirrorPath(Path mirrorsRoot)
    {
        String hostDir = scheme.equals("file") ? "local" : host + (port.isPresent() ? "_" + port.getAsInt() : "");
        return mirrorsRoot.resolve(hostDir).resolve(mirrorName(path).substring(1) + ".git");
    }

    @Override
    public String toString()
    {
        return uri();
    }
}
