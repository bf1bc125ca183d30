package dev.berth.web.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.berth.job.Job;
import dev.berth.store.AmbiguousJobIdException;
import dev.berth.store.JobLookup;
import dev.berth.store.JobReads;
import dev.berth.store.UnknownJobException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/** The job a route's {@code {id}} names, by id or unambiguous prefix as the CLI takes them. */
final class JobFromPath
{
    static final String PARAMETER = "id";

    private JobFromPath() {}

    /**
     * @throws ApiError 404 when no job matches, 409 when several do, listing them as {@code candidates}
     */
    static Job find(Context context, JobReads reads)
    {
        String id = context.pathParam(PARAMETER);
        try {
            return JobLookup.find(reads, id);
        }
        catch (UnknownJobException e) {
            throw ApiError.about(HttpStatus.NOT_FOUND, PARAMETER, e.getMessage());
        }
        catch (AmbiguousJobIdException e) {
            ArrayNode candidates = JsonNodeFactory.instance.arrayNode();
            e.matches().forEach(candidates::add);
            throw ApiError.about(HttpStatus.CONFLICT, PARAMETER, e.getMessage()).with("candidates", candidates);
        }
    }
}
