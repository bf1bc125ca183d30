package dev.berth.web.dashboard;

import dev.berth.web.AccessToken;
import dev.berth.web.Pages;
import dev.berth.web.WebServer;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The sign-in ({@code /login}) a browser needs when berth answers beyond loopback: the operator pastes the
 * access token once, and berth keeps it in a cookie the page's scripts cannot read ({@code HttpOnly}) and
 * no other site's page sends ({@code SameSite=Strict}). The web server lets this page through without the
 * token (see {@link WebServer}).
 */
final class LoginPage
{
    static final String FIELD = "token";

    private final Optional<AccessToken> token;
    private final Pages pages;

    LoginPage(Optional<AccessToken> token, Pages pages)
    {
        this.token = requireNonNull(token, "token is null");
        this.pages = requireNonNull(pages, "pages is null");
    }

    void page(Context context)
    {
        render(context, "");
    }

    void signIn(Context context)
    {
        if (token.isEmpty()) {
            context.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        String presented = Optional.ofNullable(context.formParam(FIELD)).orElse("").strip();
        if (!token.get().matches(presented)) {
            context.status(HttpStatus.UNAUTHORIZED);
            render(context, presented.isEmpty() ? "paste the token first"
                    : "that is not this berth's token: it is the one berth serve printed at its first start, kept in the file http-token in berth's state dir");
            return;
        }
        // Kept for the browser's session only: a closed browser signs in again
        context.cookie(new Cookie(WebServer.TOKEN_COOKIE, presented, "/", -1, false, true, null, SameSite.STRICT));
        context.redirect("/", HttpStatus.SEE_OTHER);
    }

    private void render(Context context, String problem)
    {
        pages.render(context, "login.jte", Map.of("required", token.isPresent(), "problem", problem));
    }
}
