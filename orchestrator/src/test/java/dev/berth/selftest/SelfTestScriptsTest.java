package dev.berth.selftest;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The self-test's own programs, run with this machine's awk (busybox's, as the default image has,
 * and the system's) and python: a right product passes and a wrong one is caught.
 */
class SelfTestScriptsTest
{
    private static final int N = 30;
    private static final int SEED = 20240101;

    @TempDir
    Path repo;

    @BeforeEach
    void unpack()
            throws IOException
    {
        for (String name : List.of("matrices.awk", "matmul.awk", "check.awk", "selftest.py")) {
            try (InputStream in = SelfTestScriptsTest.class.getResourceAsStream("/dev/berth/selftest/repo/" + name)) {
                Files.write(repo.resolve(name), in.readAllBytes());
            }
        }
    }

    /** Each awk on this machine: busybox's is what the default image runs. */
    static Stream<String> awks()
    {
        List<String> found = new ArrayList<>();
        if (onPath("busybox")) {
            found.add("busybox awk");
        }
        if (onPath("awk")) {
            found.add("awk");
        }
        assertThat(found).as("an awk to run the self-test's programs with (apt-get install busybox-static)").isNotEmpty();
        return found.stream();
    }

    @ParameterizedTest
    @MethodSource("awks")
    void aRightProductPasses(String awk)
            throws Exception
    {
        Result check = check(awk, multiply(awk));

        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.out()).startsWith("cpu: no numpy here: multiplied 30x30 with awk, ")
                .contains("product checked: A(Bx) = (AB)x exactly");
    }

    @ParameterizedTest
    @MethodSource("awks")
    void oneWrongEntryIsCaught(String awk)
            throws Exception
    {
        List<String> lines = new ArrayList<>(multiply(awk).lines().toList());
        String[] row = lines.get(7).split(" ");
        row[12] = String.valueOf(Long.parseLong(row[12]) + 1);
        lines.set(7, String.join(" ", row));

        Result check = check(awk, String.join("\n", lines) + "\n");

        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).startsWith("cpu: FAILED: the 30x30 product awk made is wrong: entry 7 of (AB)x is ");
    }

    @ParameterizedTest
    @MethodSource("awks")
    void theProductOfOtherMatricesIsCaught(String awk)
            throws Exception
    {
        String other = run(List.of(awk.split(" ")), "-v", "n=" + N, "-v", "seed=" + (SEED + 1), "-f", "matrices.awk", "-f", "matmul.awk").out();

        Result check = check(awk, other);

        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("FAILED", "is wrong");
    }

    @ParameterizedTest
    @MethodSource("awks")
    void aProductCutShortOrGarbledIsCaught(String awk)
            throws Exception
    {
        List<String> lines = multiply(awk).lines().toList();

        Result short_ = check(awk, String.join("\n", lines.subList(0, N)) + "\n");
        assertThat(short_.exitCode()).isEqualTo(1);
        assertThat(short_.out()).contains("it has 29 rows, not 30");

        Result garbled = check(awk, String.join("\n", lines).replaceFirst("\n(-?[0-9]+) ", "\nnan ") + "\n");
        assertThat(garbled.exitCode()).isEqualTo(1);
        assertThat(garbled.out()).contains("row 1 column 1 is \"nan\", not an integer");
    }

    @Test
    void everyAwkMakesTheSameProduct()
            throws Exception
    {
        List<String> products = new ArrayList<>();
        for (String awk : awks().toList()) {
            // Without the time, which differs
            products.add(multiply(awk).lines().skip(1).reduce("", (text, line) -> text + line + "\n"));
        }
        assertThat(products).containsOnly(products.get(0));
        assertThat(products.get(0).lines()).hasSize(N);
    }

    @Test
    void numpyMultipliesAndItsCheckCatchesAWrongProduct()
            throws Exception
    {
        assumeTrue(run(List.of("python3", "-c", "import numpy")).exitCode() == 0, "needs python3 with numpy (apt-get install python3-numpy)");

        Result cpu = run(List.of("python3", "selftest.py", "cpu"));
        assertThat(cpu.exitCode()).as(cpu.out()).isZero();
        assertThat(cpu.out()).matches("cpu: numpy \\S+ multiplied 2048x2048 float64 in [0-9.]+ s, [0-9.]+ GFLOP/s; "
                + "product checked: A\\(Bx\\) = \\(AB\\)x within \\S+ \\(tolerance 1e-09\\)\\n");

        Result checks = run(List.of("python3", "-c", """
                import selftest
                library = selftest.numpy_cpu()
                a, b = library.random(64, 64), library.random(64, 64)
                right = a @ b
                wrong = right.copy()
                wrong[3, 5] += 1.0
                print(selftest.check(library, a, b, right, 1e-9)[1], selftest.check(library, a, b, wrong, 1e-9)[1])
                """));
        assertThat(checks.out()).as(checks.out()).isEqualTo("True False\n");
    }

    @Test
    void aGpuPartWithNoGpuLibrarySaysSoAndLetsTheScriptFailIt()
            throws Exception
    {
        assumeTrue(onPath("python3"), "needs python3");
        assumeTrue(run(List.of("python3", "-c", "import torch")).exitCode() != 0 && run(List.of("python3", "-c", "import cupy")).exitCode() != 0,
                "needs a python3 without torch and cupy");

        Result gpu = run(List.of("python3", "selftest.py", "gpu"));

        assertThat(gpu.exitCode()).isEqualTo(3);
        assertThat(gpu.out()).isEqualTo("gpu: no library to multiply with: torch is not installed; cupy is not installed\n");
    }

    private String multiply(String awk)
            throws Exception
    {
        Result product = run(List.of(awk.split(" ")), "-v", "n=" + N, "-v", "seed=" + SEED, "-f", "matrices.awk", "-f", "matmul.awk");
        assertThat(product.exitCode()).isZero();
        assertThat(product.out()).startsWith("seconds ");
        return product.out();
    }

    private Result check(String awk, String product)
            throws Exception
    {
        Files.writeString(repo.resolve("product"), product);
        return run(List.of(awk.split(" ")), "-v", "n=" + N, "-v", "seed=" + SEED, "-v", "why=no numpy here", "-f", "matrices.awk", "-f", "check.awk", "product");
    }

    private record Result(int exitCode, String out) {}

    private Result run(List<String> command, String... args)
            throws Exception
    {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(args));
        Process process = new ProcessBuilder(full).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", full)).isTrue();
        return new Result(process.exitValue(), out);
    }

    private static boolean onPath(String program)
    {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
