package org.lenet5.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that either complete or leave the previous file in place: the bytes go to "." + name + ".PID.tmp" in the
 * same directory, are forced to disk, and the temporary file is renamed over the target atomically (then the
 * directory is forced so the rename is durable too). On failure the temporary file is removed and the target is
 * untouched.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** @throws java.nio.file.AtomicMoveNotSupportedException when the file system cannot rename atomically */
    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = temporaryFileFor(target);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        forceDirectory(dir);
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Where {@link #write} puts the bytes before the rename. */
    public static Path temporaryFileFor(Path file) {
        Path abs = file.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    }

    /** Makes the rename itself durable; not every platform can open a directory, and then the rename must do. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The data itself is already forced; only the directory entry's durability is left to the OS.
        }
    }

    /** Removes our temporary file, and nothing else that might sit at its name. */
    private static void deleteQuietly(Path p) {
        try {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) Files.delete(p);
        } catch (IOException e) {
            // The write already failed; its error is the one worth reporting.
        }
    }

    /** An I/O failure in a few words: the OS's reason ("No space left on device") rather than Java's class name. */
    public static String describe(Exception e) {
        if (e instanceof java.nio.charset.CharacterCodingException) return "not UTF-8 text";
        if (e instanceof java.nio.file.AccessDeniedException a) return "permission denied (" + a.getFile() + ")";
        if (e instanceof java.nio.file.NoSuchFileException n) return "no such file or directory (" + n.getFile() + ")";
        if (e instanceof java.nio.file.FileAlreadyExistsException f)
            return f.getFile() + " is in the way (it exists and is not a directory)";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null)
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
