package dev.berth.testing;

import java.util.List;

/**
 * Kinds of broken or hostile request, each with the words its rejection must contain. Shared by
 * the parser's unit test and the end-to-end test that sends them all through SQS.
 */
public final class BadRequests
{
    public static final String VALID_FIELDS = "\"repo_uri\": \"https://github.com/org/repo\", \"branch\": \"main\", \"entrypoint\": \"run.sh\"";
    private static final String REPO = VALID_FIELDS;

    public record BadRequest(String kind, String body, String reason) {}

    private BadRequests() {}

    public static List<BadRequest> all()
    {
        String big = "x".repeat(1 << 20);
        return List.of(
                new BadRequest("not JSON", "{repo_uri: ", "not valid JSON"),
                new BadRequest("trailing garbage", "{" + REPO + "} {}", "not valid JSON"),
                new BadRequest("an array", "[1, 2]", "must be a JSON object"),
                new BadRequest("a string", "\"run it\"", "must be a JSON object"),
                new BadRequest("empty body", "", "must be a JSON object"),
                new BadRequest("duplicate field", "{" + REPO + ", \"branch\": \"dev\"}", "Duplicate field 'branch'"),
                new BadRequest("typo gpu", "{" + REPO + ", \"gpu\": 1}", "unknown field 'gpu' (did you mean 'resources.gpus'?)"),
                new BadRequest("typo inside resources", "{" + REPO + ", \"resources\": {\"gpu\": 1}}", "unknown field 'resources.gpu'"),
                new BadRequest("missing entrypoint", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\"}", "entrypoint is required"),
                new BadRequest("empty branch", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \" \", \"entrypoint\": \"a.sh\"}", "branch must not be empty"),
                new BadRequest("branch that is not a ref", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"a..b\", \"entrypoint\": \"a.sh\"}", "branch:"),
                new BadRequest("entrypoint with ..", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"../x.sh\"}", "without '.', '..'"),
                new BadRequest("entrypoint in the middle ..", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a/../../x\"}", "'..'"),
                new BadRequest("absolute entrypoint", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"/bin/sh\"}", "not an absolute path"),
                new BadRequest("entrypoint as option", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"-rf\"}", "must not start with '-'"),
                new BadRequest("entrypoint with newline", "{\"repo_uri\": \"github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a\\nb\"}", "control characters"),
                new BadRequest("ftp repo", "{\"repo_uri\": \"ftp://host/r\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}", "repo_uri:"),
                new BadRequest("credentials in repo", "{\"repo_uri\": \"https://user:hunter2@github.com/a/b\", \"branch\": \"main\", \"entrypoint\": \"a.sh\"}", "BERTH_GIT_TOKEN"),
                new BadRequest("negative gpus", "{" + REPO + ", \"resources\": {\"gpus\": -1}}", "resources.gpus must be a whole number from 0 to 64"),
                new BadRequest("absurd gpus", "{" + REPO + ", \"resources\": {\"gpus\": 1000}}", "resources.gpus must be a whole number from 0 to 64, got number 1000"),
                new BadRequest("fractional gpus", "{" + REPO + ", \"resources\": {\"gpus\": 0.5}}", "resources.gpus must be a whole number"),
                new BadRequest("negative memory", "{" + REPO + ", \"resources\": {\"memory\": \"-1g\"}}", "resources.memory must be a size"),
                new BadRequest("memory without number", "{" + REPO + ", \"resources\": {\"memory\": \"lots\"}}", "resources.memory must be a size"),
                new BadRequest("absurd memory", "{" + REPO + ", \"resources\": {\"memory\": \"900t\"}}", "resources.memory must be a size from 4m to 16t"),
                new BadRequest("zero cpus", "{" + REPO + ", \"resources\": {\"cpus\": 0}}", "resources.cpus must be a number above 0"),
                new BadRequest("cpus as text", "{" + REPO + ", \"resources\": {\"cpus\": \"two\"}}", "resources.cpus must be a number"),
                new BadRequest("resources not an object", "{" + REPO + ", \"resources\": 4}", "resources must be an object"),
                new BadRequest("huge params", "{" + REPO + ", \"entrypoint_params\": \"" + big + "\"}", "entrypoint_params is 1048576 bytes; the limit is 102400"),
                new BadRequest("params as number", "{" + REPO + ", \"entrypoint_params\": 5}", "entrypoint_params must be a string"),
                new BadRequest("NUL in params", "{" + REPO + ", \"entrypoint_params\": \"a\\u0000b\"}", "must not contain NUL"),
                new BadRequest("bad timeout", "{" + REPO + ", \"timeout\": \"soon\"}", "timeout must be a duration"),
                new BadRequest("zero timeout", "{" + REPO + ", \"timeout\": \"0s\"}", "timeout must be a duration"),
                new BadRequest("too many attempts", "{" + REPO + ", \"max_attempts\": 100}", "max_attempts must be a whole number from 1 to 10"),
                new BadRequest("job id with slash", "{" + REPO + ", \"job_id\": \"a/b\"}", "job_id 'a/b' is not valid"),
                new BadRequest("job id too long", "{" + REPO + ", \"job_id\": \"" + "a".repeat(49) + "\"}", "job_id"),
                new BadRequest("env not object", "{" + REPO + ", \"env\": [\"A=1\"]}", "env must be an object"),
                new BadRequest("reserved env", "{" + REPO + ", \"env\": {\"ENTRYPOINT_PARAMS\": \"x\"}}", "is reserved for berth"),
                new BadRequest("bad env name", "{" + REPO + ", \"env\": {\"1A\": \"x\"}}", "env name '1A' is not valid"),
                new BadRequest("env value not string", "{" + REPO + ", \"env\": {\"A\": 1}}", "env.A must be a string"),
                new BadRequest("pool with spaces", "{" + REPO + ", \"pool\": \"my pool\"}", "pool 'my pool' is not valid"),
                new BadRequest("user with markup", "{" + REPO + ", \"user\": \"<b>ana</b>\"}",
                        "user '<b>ana</b>' is not valid: expected 1-64 letters, digits, '_', '.', '@' or '-', starting with a letter, digit or '_'"),
                new BadRequest("stop grace past the cap", "{" + REPO + ", \"stop_grace\": \"1h\"}",
                        "stop_grace must be a duration such as \"30s\" or \"2m\" (at most 15m; under 2m to save work on a spot notice), got \"1h\""),
                new BadRequest("stop grace a number", "{" + REPO + ", \"stop_grace\": 30}", "stop_grace must be a duration"),
                new BadRequest("abbreviated commit", "{" + REPO + ", \"commit\": \"1a2b3c4\"}",
                        "commit '1a2b3c4' is not valid: expected a full commit id of 40 (or 64) lower-case hex digits"),
                new BadRequest("rerun of a path", "{" + REPO + ", \"rerun_of\": \"../x\"}", "rerun_of '../x' is not valid: expected a job id"),
                new BadRequest("user not a string", "{" + REPO + ", \"user\": 7}", "user must be a string"),
                new BadRequest("image with spaces", "{" + REPO + ", \"image\": \"bad image\"}", "image 'bad image' is not valid"));
    }
}
