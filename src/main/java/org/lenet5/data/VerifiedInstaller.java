package org.lenet5.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;

/**
 * Puts one fetched file into a dataset directory only if its SHA-256 matches the table: the content (gunzipped
 * when it starts with 1f 8b) goes to a temporary file next to the target, is hashed on the way, and is renamed into
 * place only when it matches and no file of that name exists. A file the user already has is never touched.
 */
final class VerifiedInstaller {

    /** A fetched file larger than this (uncompressed) is discarded: no dataset file comes near it (MNIST: 47 MB). */
    static final long MAX_FILE_BYTES = 512L << 20;

    enum Outcome { INSTALLED, WRONG_HASH, TARGET_EXISTS }

    private final DatasetKind kind;
    private final Path datasetDir;
    private final Sha256Table table;
    private final PrintStream log;

    VerifiedInstaller(DatasetKind kind, Path datasetDir, Sha256Table table, PrintStream log) {
        this.kind = kind;
        this.datasetDir = datasetDir;
        this.table = table;
        this.log = log;
    }

    DatasetKind kind() { return kind; }
    PrintStream log() { return log; }

    /**
     * Installs {@code content} (not closed here) as {@code name}, reporting the result on the log in one line.
     * An IOException (a broken download, a corrupt gzip stream) leaves nothing behind.
     */
    Outcome install(String name, InputStream content, String from) throws IOException {
        String key = Sha256Table.key(kind, name), expected = table.expected(kind, name);
        Path target = datasetDir.resolve(name);
        Path temp = Files.createTempFile(datasetDir, "." + name + ".", ".part");
        try {
            String actual = copyHashing(content, temp);
            if (!actual.equals(expected)) {
                log.println(key + ": the copy from " + from + " has sha256 " + actual + " but the table expects "
                        + expected + "; discarded");
                return Outcome.WRONG_HASH;
            }
            if (!moveIntoPlaceUnlessPresent(temp, target)) {
                log.println(key + ": " + target + " appeared meanwhile; left as it is, the copy from " + from
                        + " is discarded");
                return Outcome.TARGET_EXISTS;
            }
            log.println(key + ": fetched from " + from + ", sha256 OK");
            return Outcome.INSTALLED;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String copyHashing(InputStream content, Path temp) throws IOException {
        MessageDigest md = Sha256.newDigest();
        InputStream in = new BufferedInputStream(content, 1 << 16);
        if (GzipSniffer.startsWithGzipMagic(in)) in = new GZIPInputStream(in, 1 << 16);
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(temp)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_FILE_BYTES)
                    throw new IOException("more than " + MAX_FILE_BYTES + " bytes, far larger than any dataset file");
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return Sha256.hex(md.digest());
    }

    /**
     * Renames without ever replacing: a hard link fails atomically when the target exists; where links are not
     * supported, an atomic rename after an existence check (the window between them is harmless here).
     */
    private static boolean moveIntoPlaceUnlessPresent(Path temp, Path target) throws IOException {
        makeWorldReadable(temp);
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(target)) return false;
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    /** Temporary files are created rw-------; the dataset file should read like any other (rw-r--r--). */
    private static void makeWorldReadable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }
}
