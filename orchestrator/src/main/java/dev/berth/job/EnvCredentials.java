package dev.berth.job;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Spots {@code env} values that look like credentials, so that {@code berth submit} and the daemon can
 * warn that env is stored, written to {@code job.json} and shown by {@code docker service inspect},
 * and point at secrets instead. Such a value is still accepted: a guess must never refuse a job.
 * Warnings name the key only, never the value.
 */
public final class EnvCredentials
{
    private static final Pattern AWS_ACCESS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b");
    /** An AWS secret access key's shape: 40 characters of base64, with both cases (a hex digest has one). */
    private static final Pattern FORTY_BASE64 = Pattern.compile("(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9/+=]{40}");
    private static final Pattern KEY_NAME = Pattern.compile("(?i).*(?:SECRET|KEY|TOKEN|PASSWORD|PASSWD).*");
    private static final Pattern PASSWORD_NAME = Pattern.compile("(?i).*(?:PASSWORD|PASSWD).*");
    /** GitHub, Hugging Face, Slack and OpenAI-style tokens: a known prefix, then a long run of token characters. */
    private static final Pattern TOKEN = Pattern.compile("\\b(?:gh[pousr]_|github_pat_|hf_|xox[bp]-|sk-)[A-Za-z0-9_-]{16,}");
    /** A JSON Web Token: base64url header and payload, both JSON objects, then a signature. */
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");

    private EnvCredentials() {}

    /** The keys whose values look like credentials, in the env's order. */
    public static List<String> suspiciousKeys(Map<String, String> env)
    {
        return env.entrySet().stream().filter(entry -> looksLikeCredential(entry.getKey(), entry.getValue())).map(Map.Entry::getKey).toList();
    }

    static boolean looksLikeCredential(String key, String value)
    {
        return AWS_ACCESS_KEY_ID.matcher(value).find()
                || TOKEN.matcher(value).find()
                || JWT.matcher(value).find()
                || KEY_NAME.matcher(key).matches() && FORTY_BASE64.matcher(value).matches()
                || PASSWORD_NAME.matcher(key).matches() && !value.isBlank();
    }

    /** The warning for {@code keys}, which names them, never their values, and says how to pass them as secrets. */
    public static String warning(List<String> keys)
    {
        return "env " + String.join(", ", keys) + (keys.size() == 1 ? " looks" : " look") + " like a credential. env is stored in berth's database,"
                + " written to the run dir's job.json and shown by 'docker service inspect': pass it as a secret instead"
                + " ('berth secret create NAME', then --secret NAME, or \"secrets\": [\"NAME\"] in a request; the job reads /run/secrets/NAME)";
    }
}
