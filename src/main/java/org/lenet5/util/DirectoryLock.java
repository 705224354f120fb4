package org.lenet5.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a directory, so two processes never write the same run at once: an OS file lock
 * ({@link FileChannel#tryLock}, fcntl on Linux) on the file ".lock" inside it. The OS drops the lock when the
 * process ends in any way (SIGKILL included), so a dead run never leaves a stale lock behind; the file itself
 * stays (removing it would let a second process lock a new file while a first still holds the old one). The
 * holder writes its process id into the file, for the message of whoever is refused.
 */
public final class DirectoryLock implements AutoCloseable {

    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks dir (which must exist) or refuses with one line naming it.
     *
     * @param holderName what holds such a lock, for the message ("lenet5 train")
     */
    public static DirectoryLock acquire(Path dir, String holderName) {
        Path file = dir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | SecurityException e) {
            throw new UserException(dir + ": cannot create the lock file " + FILE + " (" + AtomicFiles.describe(e) + ")");
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;   // this very process holds it already
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UserException(dir + ": cannot lock " + file + " (" + AtomicFiles.describe(e) + ")");
        }
        if (lock == null) {
            String holder = holder(ch);
            closeQuietly(ch);
            throw new UserException(dir + " is in use by another " + holderName
                    + (holder.isEmpty() ? "" : " (process " + holder + ")")
                    + "; two trainings never share a run directory: wait for it to end or stop it, or choose another directory");
        }
        try {
            // Fixed width, so no truncation is needed (truncating a file to 0 makes ext4 flush it on close: slow).
            String note = String.format("%-20d%n", ProcessHandle.current().pid());
            ch.write(ByteBuffer.wrap(note.getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // The lock holds without the note; only the message of a refused second process loses the pid.
        }
        return new DirectoryLock(ch, lock);
    }

    /** The process id the holder wrote, or "" when unreadable. */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return s.matches("[0-9]{1,19}") ? s : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing a channel we only read from; nothing to report.
        }
    }

    /** Releases the lock (idempotent). */
    @Override
    public void close() {
        if (!channel.isOpen()) return;
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it too.
        }
        closeQuietly(channel);
    }
}
