package dev.berth.job;

import java.util.regex.Pattern;

/**
 * Removes credentials that users put into URLs ({@code https://user:token@host/...}) from text
 * berth keeps or shows, such as the body of a rejected request.
 */
public final class Redaction
{
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@\"']+@");

    private Redaction() {}

    public static String redactUrlCredentials(String text)
    {
        return URL_USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
