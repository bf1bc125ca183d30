package dev.berth.export;

/** S3 could not say whether an object is there: the message says why (never with credentials). */
public final class ExportCheckException
        extends RuntimeException
{
    public ExportCheckException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
