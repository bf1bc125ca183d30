package dev.berth.top;

/** Which of a job's two output files the log view shows. */
public enum LogStream
{
    STDOUT("stdout.txt"), STDERR("stderr.txt");

    private final String fileName;

    LogStream(String fileName)
    {
        this.fileName = fileName;
    }

    /** The file's name in a run dir and in each attempt's dir. */
    public String fileName()
    {
        return fileName;
    }

    public String label()
    {
        return this == STDOUT ? "stdout" : "stderr";
    }

    LogStream other()
    {
        return this == STDOUT ? STDERR : STDOUT;
    }
}
