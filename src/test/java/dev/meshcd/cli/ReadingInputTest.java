package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile or careless input on the reading side: files too large to read (huge, endless, special), standard input
 * and pipes, the file-size limit from meshcd.yaml and {@code --max-file-size}. Each gives one clear error and the
 * right exit code, reads no more than the limit, and leaves outputs untouched.
 */
class ReadingInputTest {
    @TempDir
    Path tmp;

    static final String BROKEN_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart]
              http:
              - route:
                - destination: {host: cart, subset: v2}
            """;

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec:
              ports: [{name: http, port: 80}]
            """;

    /** A sparse file of {@code size} bytes: no disk, no time. */
    private Path sparse(Path p, long size) throws Exception {
        Files.createDirectories(p.getParent());
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void aTwoGibFileIsOneErrorNamingTheLimitAndTheOtherFilesAreStillChecked() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("svc.yaml"), SERVICE);
        Files.writeString(repo.resolve("vs.yaml"), BROKEN_VS);
        sparse(repo.resolve("huge.yaml"), 2L << 30);
        CliRun r = CliRun.run("check", "--no-config", repo.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("huge.yaml: error MCD1005 file is 2147483648 bytes, larger than the 64 MiB limit;"
                        + " raise it with --max-file-size or maxFileSize in meshcd.yaml")
                .contains("vs.yaml:8:33: error IST0101")
                .contains("2 errors").doesNotContain("OutOfMemory");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aFileOverTheLimitIsNotReadIntoMemory() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        sparse(repo.resolve("big.yaml"), 200L << 20);
        CliRun.run("validate", "--no-config", repo.toString()); // warm up: classes, caches
        long before = CliRun.allocatedBytes();
        CliRun r = CliRun.run("validate", "--no-config", repo.toString());
        long allocated = CliRun.allocatedBytes() - before;
        assertThat(r.out()).contains("MCD1005");
        assertThat(allocated).as("bytes allocated to refuse a 200 MB file").isLessThan(64L << 20);
    }

    @Test
    void endlessStandardInputStopsAtTheLimit() {
        long before = CliRun.allocatedBytes();
        CliRun r = CliRun.withStdin(CliRun.endlessZeros(), "check", "--no-config", "--max-file-size", "1Mi", "-");
        long allocated = CliRun.allocatedBytes() - before;
        assertThat(r.code()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("<stdin>: error MCD1005 file is larger than the 1 MiB limit; raise it with"
                + " --max-file-size or maxFileSize in meshcd.yaml");
        assertThat(allocated).as("bytes allocated reading an endless stream under a 1 MiB limit")
                .isLessThan(32L << 20);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/dev/zero    | /dev/zero is a character device, not a file",
            "/dev/null    | /dev/null is a character device, not a file",
    })
    void devicesAreRefusedWithExitTwo(String device, String message) {
        assumeThat(Path.of(device)).exists();
        for (String command : List.of("check", "validate", "compile")) {
            CliRun r = command.equals("compile")
                    ? CliRun.run(command, "--no-config", device, "-o", tmp.resolve("out").toString())
                    : CliRun.run(command, "--no-config", device);
            assertThat(r.code()).as(command).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).as(command).contains(message).doesNotContain("Exception");
        }
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void standardInputIsReadAsAFileNamedStdin() {
        CliRun r = CliRun.withStdin(SERVICE + "---\n" + BROKEN_VS, "check", "--no-config", "-");
        assertThat(r.code()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("<stdin>:14:33: error IST0101 [VirtualService shop/cart]")
                .contains("1 error, 0 warnings, 0 info in 2 resources from 1 file");

        CliRun clean = CliRun.withStdin(SERVICE, "validate", "--no-config", "-");
        assertThat(clean.code()).isZero();
        assertThat(clean.out()).contains("in 1 resource from 1 file");
    }

    @Test
    void standardInputMixesWithPaths() throws Exception {
        Path svc = Files.writeString(tmp.resolve("svc.yaml"), SERVICE);
        CliRun r = CliRun.withStdin(BROKEN_VS, "check", "--no-config", svc.toString(), "-");
        assertThat(r.out()).contains("<stdin>:8:33: error IST0101").contains("in 2 resources from 2 files");
    }

    @Test
    void compileReadsStandardInputAndWritesItsOutput() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.withStdin(SERVICE + "---\n" + BROKEN_VS.replace(", subset: v2", ""), "compile",
                "--no-config", "-", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("istio/shop/virtualservice-cart.yaml")).exists();
    }

    @Test
    void diffRefusesStandardInput() {
        CliRun r = CliRun.run("diff", "-", tmp.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("standard input (-) is not one");
    }

    @Test
    void aFifoGivenAsAPathIsReadAsAStream() throws Exception {
        Path fifo = tmp.resolve("in.yaml");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeThat(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0).as("mkfifo").isTrue();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, SERVICE + "---\n" + BROKEN_VS);
            } catch (Exception e) {
                // the reader went away: the assertions below say what went wrong
            }
        });
        writer.start();
        CliRun r = CliRun.run("check", "--no-config", fifo.toString());
        writer.join(10_000);
        assertThat(r.code()).as("a CI gate on a pipe must fail on errors").isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("in.yaml:14:33: error IST0101").contains("in 2 resources from 1 file");
    }

    @ParameterizedTest(name = "meshcd.yaml maxFileSize {0}, flag {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            // config         | flag  | exit | expected in output
            "                 |       | 0    | in 1 resource from 1 file",
            "2Ki              |       | 1    | larger than the 2 KiB limit",
            "2048             |       | 1    | larger than the 2 KiB limit",
            "2Ki              | 8Ki   | 0    | in 1 resource from 1 file",
            "8Ki              | 2Ki   | 1    | larger than the 2 KiB limit",
            "lots             |       | 1    | maxFileSize must be a size such as 64Mi, from 1Ki to 1Gi",
            "2Gi              |       | 1    | maxFileSize must be a size such as 64Mi, from 1Ki to 1Gi",
            "                 | 0     | 2    | is not a size from 1Ki to 1Gi",
            "                 | 2Gi   | 2    | is not a size from 1Ki to 1Gi",
            "                 | 64x   | 2    | is not a size from 1Ki to 1Gi",
    })
    void theLimitComesFromTheFlagElseMeshcdYaml(String config, String flag, int exit, String expected) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("meshcd.yaml"), "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n"
                + (config == null ? "" : "maxFileSize: " + config + "\n"));
        // 3 KiB: over a 2 KiB limit, under 8 KiB
        Files.writeString(repo.resolve("svc.yaml"), SERVICE + "#" + "x".repeat(3000) + "\n");
        CliRun r = flag == null ? CliRun.run("validate", repo.toString())
                : CliRun.run("validate", "--max-file-size", flag, repo.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(exit);
        assertThat(r.out() + r.err()).contains(expected);
    }

    @Test
    void aConfigFileOverTheLimitIsAUsageError() throws Exception {
        Path config = sparse(tmp.resolve("meshcd.yaml"), 3L << 30);
        Files.writeString(tmp.resolve("svc.yaml"), SERVICE);
        CliRun r = CliRun.run("check", "--config", config.toString(), tmp.resolve("svc.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("meshcd.yaml is 3221225472 bytes, larger than the 64 MiB limit; raise it with"
                + " --max-file-size");
    }

    @Test
    void anOversizedOutputManifestRefusesTheOutputAndKeepsIt() throws Exception {
        Path in = Files.writeString(tmp.resolve("svc.yaml"), SERVICE);
        Path out = Files.createDirectories(tmp.resolve("out"));
        sparse(out.resolve(".meshcd-output"), 2L << 30);
        CliRun r = CliRun.run("compile", "--no-config", in.toString(), "-o", out.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(".meshcd-output is 2147483648 bytes, larger than the 64 MiB limit");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(".meshcd-output");
        }
    }

    @Test
    void aSymbolicLinkLoopSaysSo() throws Exception {
        Path a = tmp.resolve("a.yaml");
        Path b = tmp.resolve("b.yaml");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        CliRun r = CliRun.run("check", "--no-config", a.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("a.yaml: too many levels of symbolic links");
    }

    @Test
    void aListWhoseItemsIsAMappingIsAnErrorAtItems() throws Exception {
        Path f = Files.writeString(tmp.resolve("list.yaml"), """
                apiVersion: v1
                kind: List
                items:
                  apiVersion: networking.istio.io/v1
                  kind: VirtualService
                  metadata: {name: x, namespace: shop}
                  spec: {hosts: [42]}
                """);
        CliRun r = CliRun.run("check", "--no-config", f.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("list.yaml:3:1: error MCD1007 List: items must be a list of objects, not a mapping")
                .contains("1 error, 0 warnings, 0 info");
    }

    @Test
    void aDirectoryWhoseFilesAreAllExcludedGetsANote() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("meshcd.yaml"), "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n"
                + "exclude: [broken/]\n");
        Files.createDirectories(repo.resolve("broken"));
        Files.writeString(repo.resolve("broken/vs.yaml"), BROKEN_VS);
        CliRun r = CliRun.run("check", repo.resolve("broken").toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("broken: its 1 file is excluded by").contains("name files one by one");
        CliRun named = CliRun.run("check", repo.resolve("broken/vs.yaml").toString());
        assertThat(named.code()).as("a file named one by one is checked").isEqualTo(ExitCodes.ERRORS);
        assertThat(named.err()).doesNotContain("note");
    }

    @Test
    void smallFilesNamedOnTheCommandLineAreReadWithABound() throws Exception {
        Path huge = sparse(tmp.resolve("ca.crt"), 2L << 30);
        CliRun big = CliRun.run("install", "--ca-bundle", huge.toString());
        assertThat(big.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(big.err()).contains("cannot read " + huge + " is 2147483648 bytes, larger than the 1 MiB limit")
                .doesNotContain("OutOfMemory");
        CliRun device = CliRun.run("install", "--ca-bundle", "/dev/zero");
        assertThat(device.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(device.err()).contains("/dev/zero is a character device");
    }
}
