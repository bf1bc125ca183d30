package dev.berth.testing;

import dev.berth.export.ExportCheck;
import dev.berth.export.ExportCheckException;
import dev.berth.export.RunDirExport;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ExportCheck}: a run dir counts as exported from the {@code exportedFrom}-th question
 * on (never, when empty), and every question before it fails with {@code problem} when one is given.
 */
public final class FakeExportCheck
        implements ExportCheck
{
    private final Optional<Integer> exportedFrom;
    private final Optional<String> problem;
    private final AtomicInteger asked = new AtomicInteger();

    public FakeExportCheck(Optional<Integer> exportedFrom, Optional<String> problem)
    {
        this.exportedFrom = exportedFrom;
        this.problem = problem;
    }

    @Override
    public boolean exported(RunDirExport export)
    {
        int question = asked.incrementAndGet();
        if (exportedFrom.isPresent() && question >= exportedFrom.get()) {
            return true;
        }
        problem.ifPresent(message -> {
            throw new ExportCheckException(message, null);
        });
        return false;
    }

    public int asked()
    {
        return asked.get();
    }

    @Override
    public void close() {}
}
