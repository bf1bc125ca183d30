package dev.berth.web.dashboard;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Keeps another site from making an operator's browser cancel a job. Each browser gets a random
 * session cookie ({@code SameSite=Strict}, so no other site's page sends it at all); every form that
 * changes something carries the session's token, an HMAC of the cookie under a key this server made at
 * its start, and a POST is refused unless the two agree. A page from before a restart of berth has
 * a token the new key does not sign: reloading the page gives a good one.
 */
final class CsrfTokens
{
    static final String SESSION_COOKIE = "berth_session";
    static final String FIELD = "csrf";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    CsrfTokens()
    {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /** The token for this browser's forms, giving it a session cookie first when it has none. */
    String tokenFor(Context context)
    {
        String session = session(context).orElseGet(() -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String made = HexFormat.of().formatHex(bytes);
            context.cookie(new Cookie(SESSION_COOKIE, made, "/", -1, false, true, null, SameSite.STRICT));
            return made;
        });
        return sign(session);
    }

    /** @throws PageException (403) when the request's form token is not its session's */
    void check(Context context)
    {
        Optional<String> session = session(context);
        String presented = Optional.ofNullable(context.formParam(FIELD)).orElse("");
        if (session.isEmpty() || !MessageDigest.isEqual(sign(session.get()).getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            throw new PageException(HttpStatus.FORBIDDEN, "this form did not come from this berth's own page, or berth restarted since the page was shown: "
                    + "nothing was changed; reload the page and try again");
        }
    }

    private static Optional<String> session(Context context)
    {
        return Optional.ofNullable(context.cookie(SESSION_COOKIE)).filter(value -> value.matches("[0-9a-f]{32}"));
    }

    private String sign(String session)
    {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(session.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no " + ALGORITHM, e);
        }
    }
}
