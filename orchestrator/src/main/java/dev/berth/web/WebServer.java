package dev.berth.web;

import dev.berth.config.HttpAddress;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP server of {@code berth serve}: Javalin (a thin layer over Jetty, started and stopped as a
 * library, with no container or annotation scanning). On loopback it serves anyone who can reach it;
 * on any other address every request must carry the {@link AccessToken}, as a bearer token or the
 * cookie the dashboard's sign-in sets, but for the sign-in page itself and the static files: a browser
 * without it is sent to the sign-in, any other client answered 401.
 */
public final class WebServer
        implements AutoCloseable
{
    public static final String TOKEN_COOKIE = "berth_token";
    /** Where a browser without the token is sent, to paste it (the dashboard's sign-in). */
    public static final String LOGIN_PATH = "/login";
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    private final Javalin app;
    private final URI uri;

    private WebServer(Javalin app, URI uri)
    {
        this.app = requireNonNull(app, "app is null");
        this.uri = requireNonNull(uri, "uri is null");
    }

    /**
     * @param token required when the address is not loopback
     * @throws IllegalStateException when the address is not loopback and there is no token, or the port is taken
     */
    public static WebServer start(HttpAddress address, Optional<AccessToken> token, List<WebRoutes> routes)
    {
        if (!address.loopback() && token.isEmpty()) {
            throw new IllegalStateException("berth answers HTTP on " + address + ", which is not loopback, only with an access token; "
                    + "none could be made. Set BERTH_HTTP_ADDRESS=127.0.0.1:8080 and tunnel with ssh -L 8080:localhost:8080");
        }
        Optional<AccessToken> required = address.loopback() ? Optional.empty() : token;
        Javalin app = Javalin.create(config -> {
            config.jetty.host = address.host();
            config.jetty.port = address.port();
            config.startup.showJavalinBanner = false;
            required.ifPresent(expected -> config.routes.before(context -> requireToken(context, expected)));
            // The dashboard's own styles and scripts, and the charting library's webjar: from the jar, none from the internet
            new JarFiles().addTo(config.routes);
            routes.forEach(route -> route.addTo(config.routes));
        });
        try {
            app.start();
        }
        catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException("cannot answer HTTP on " + address + ": " + rootMessage(e)
                    + "; set BERTH_HTTP_ADDRESS to a free host:port, or to off", e);
        }
        URI uri = URI.create("http://" + new HttpAddress(address.host(), app.port()) + "/");
        log.info("Answering HTTP on {}{}", uri, required.isPresent() ? " (bearer token required)" : "");
        return new WebServer(app, uri);
    }

    private static void requireToken(Context context, AccessToken expected)
    {
        // The sign-in page and the styles it uses are for those without the token yet; the static files are the jar's own
        if (context.path().equals(LOGIN_PATH) || context.path().startsWith("/static/")) {
            return;
        }
        String header = Optional.ofNullable(context.header("Authorization")).orElse("");
        String presented = header.startsWith("Bearer ") ? header.substring("Bearer ".length()).strip()
                : Optional.ofNullable(context.cookie(TOKEN_COOKIE)).orElse("");
        if (!expected.matches(presented)) {
            if (HandlerType.GET.equals(context.method()) && Optional.ofNullable(context.header("Accept")).orElse("").contains("text/html")) {
                // A browser: to the page where the operator pastes the token
                context.redirect(LOGIN_PATH, HttpStatus.SEE_OTHER);
                context.skipRemainingHandlers();
                return;
            }
            context.header("WWW-Authenticate", "Bearer");
            context.status(HttpStatus.UNAUTHORIZED).json(Map.of("error",
                    "this berth asks for its access token: send 'Authorization: Bearer TOKEN' with the token from the http-token file in berth's state dir"));
            context.skipRemainingHandlers();
        }
    }

    private static String rootMessage(Throwable e)
    {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    /** Where the server answers, with the port it took when asked for any. */
    public URI uri()
    {
        return uri;
    }

    @Override
    public void close()
    {
        app.stop();
    }
}
