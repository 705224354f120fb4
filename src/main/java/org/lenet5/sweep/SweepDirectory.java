package org.lenet5.sweep;

import com.google.gson.JsonElement;
import org.lenet5.train.RunDirectory;
import org.lenet5.util.AtomicFiles;
import org.lenet5.util.Json;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A sweep's directory, and the state that lets it be interrupted and started again:
 * <pre>
 *   sweep.json            the fixed training flags; a restart must use the same ones
 *   trials/&lt;id&gt;/          one run directory per trial (config.json, metrics.csv, summary.json, model.lenet5)
 *   trials/&lt;id&gt;/trial.json  written last and atomically: the trial is finished (ok or diverged)
 *   results.csv, report.md, report.html, charts/*.png
 * </pre>
 * A trial directory without trial.json was interrupted; it is emptied and the trial runs again from scratch.
 * A lock file keeps two sweeps from writing the same directory at once.
 */
public final class SweepDirectory implements AutoCloseable {

    public static final String SWEEP_JSON = "sweep.json";
    public static final String TRIALS = "trials";
    public static final String TRIAL_JSON = "trial.json";
    public static final String RESULTS_CSV = "results.csv";
    public static final String LOCK = ".sweep.lock";

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean createdHere;   // this sweep made the directory
    private boolean wroteFixed;    // this sweep wrote sweep.json: the directory held no sweep before

    private SweepDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (or creates) the directory and takes its lock. A directory swept before must have been swept with the
     * same fixed settings.
     */
    public static SweepDirectory open(Path dir, FixedSettings fixed) {
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw new UserException(dir + ": exists and is not a directory; choose another --out");
        refuseForeignDirectory(dir);
        boolean existed = Files.isDirectory(dir);
        FileChannel ch = null;
        FileLock lock;
        try {
            Files.createDirectories(dir.resolve(TRIALS));
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | SecurityException e) {
            closeQuietly(ch);
            throw new UserException(dir + ": cannot write the sweep directory (" + e.getMessage() + ")");
        }
        if (lock == null) {
            closeQuietly(ch);
            throw new UserException(dir + ": another sweep is running in this directory; wait for it or choose another --out");
        }
        SweepDirectory d = new SweepDirectory(dir, ch, lock);
        d.createdHere = !existed;
        try {
            d.checkOrWriteFixed(fixed);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /**
     * A directory that exists, is not empty and holds no sweep.json is someone else's (files of the user's, or a
     * training run): a sweep would overwrite its results.csv, report.md, ... so it is refused, naming an entry.
     */
    private static void refuseForeignDirectory(Path dir) {
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(SWEEP_JSON))) return;
        String first;
        try (var entries = Files.list(dir)) {
            first = entries.map(e -> e.getFileName().toString())
                    .filter(name -> !name.equals(LOCK) && !name.equals(TRIALS))   // a sweep stopped before sweep.json
                    .sorted().findFirst().orElse(null);
        } catch (IOException | SecurityException e) {
            throw new UserException(dir + ": cannot list the directory (" + e.getMessage() + ")");
        }
        if (first != null)
            throw new UserException(dir + " is not empty (" + first + ") and holds no sweep (no " + SWEEP_JSON
                    + "); a sweep would overwrite its files: choose a new or empty --out");
    }

    public Path path() { return dir; }

    public Path trialDir(Trial t) { return dir.resolve(TRIALS).resolve(t.id()); }

    private void checkOrWriteFixed(FixedSettings fixed) {
        Path file = dir.resolve(SWEEP_JSON);
        Map<String, Object> want = fixed.toMap();
        try {
            if (!Files.exists(file)) {
                Json.write(file, want);
                wroteFixed = true;
                return;
            }
            var have = Json.read(file).getAsJsonObject();
            for (var e : want.entrySet()) {
                JsonElement h = have.get(e.getKey());
                String had = h == null || h.isJsonNull() ? "(none)" : h.getAsString();
                if (!had.equals(String.valueOf(e.getValue())))
                    throw new UserException(dir + " holds a sweep with " + FixedSettings.option(e.getKey()) + " " + had
                            + " but this one has " + e.getValue() + "; use the same fixed flags to continue it, or another --out");
            }
        } catch (IOException | IllegalStateException e) {
            throw new UserException(file + ": cannot read or write (" + e.getMessage() + ")");
        }
    }

    /** Every trial.json under trials/ (finished and failed trials), in trial order. Unreadable ones are reported and skipped. */
    public List<TrialResult> results(PrintWriter notices) {
        List<TrialResult> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(TRIALS))) {
            for (Path td : ds) {
                Path f = td.resolve(TRIAL_JSON);
                if (!Files.isRegularFile(f)) continue;
                try {
                    TrialResult r = TrialResult.fromJson(Json.read(f).getAsJsonObject());
                    if (!r.trial().id().equals(td.getFileName().toString()))
                        throw new IllegalArgumentException("it describes trial " + r.trial().id());
                    all.add(r);
                } catch (RuntimeException | IOException e) {
                    notices.println("sweep: " + f + " is not a readable trial record (" + e.getMessage()
                            + "); that trial will run again");
                }
            }
        } catch (IOException e) {
            throw new UserException(dir.resolve(TRIALS) + ": cannot list (" + e.getMessage() + ")");
        }
        all.sort((a, b) -> Trial.ORDER.compare(a.trial(), b.trial()));
        return all;
    }

    /**
     * Empties the trial's directory (what an interrupted or failed attempt left) and prepares it as a new run
     * directory. Only plain files directly inside it are removed; it is named by the sweep, so they are the run's.
     */
    public RunDirectory startTrial(Trial t, String dataset) {
        Path td = trialDir(t);
        try {
            Files.createDirectories(td);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(td)) {
                for (Path f : ds) if (Files.isRegularFile(f)) Files.delete(f);
            }
        } catch (IOException e) {
            throw new UserException(td + ": cannot clear the trial directory (" + e.getMessage() + ")");
        }
        return RunDirectory.createNew(td, dataset);
    }

    /** A diverged trial keeps no checkpoint (its last good epoch's model is of no use for choosing). */
    public void removeCheckpoint(Trial t) {
        try {
            Files.deleteIfExists(trialDir(t).resolve(RunDirectory.MODEL));
        } catch (IOException e) {
            throw new UserException(trialDir(t).resolve(RunDirectory.MODEL) + ": cannot delete (" + e.getMessage() + ")");
        }
    }

    /** Marks the trial finished (or failed): trial.json, written atomically. */
    public void record(TrialResult r) {
        Path f = trialDir(r.trial()).resolve(TRIAL_JSON);
        try {
            Json.write(f, r.toMap());
        } catch (IOException e) {
            throw new UserException(f + ": cannot write (" + e.getMessage() + ")");
        }
    }

    public void writeResultsCsv(List<TrialResult> results, FixedSettings fixed) {
        Path f = dir.resolve(RESULTS_CSV);
        try {
            AtomicFiles.writeString(f, ResultsCsv.render(results, fixed));
        } catch (IOException e) {
            throw new UserException(f + ": cannot write (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null && lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // the lock goes with the channel anyway
        }
        closeQuietly(lockChannel);
        // A sweep stopped before its first trial (e.g. 'best' with no finished trial in --out, found only once the
        // directory is read) leaves no sweep behind: its sweep.json would bind the next sweep there to its flags.
        if (wroteFixed) {
            try (var trials = Files.list(dir.resolve(TRIALS))) {
                if (trials.findAny().isPresent()) return;
            } catch (IOException e) {
                return;   // leaving the directory as it is is harmless; the error that ended the sweep is the one to report
            }
            try {
                Files.deleteIfExists(dir.resolve(SWEEP_JSON));
                Files.deleteIfExists(dir.resolve(TRIALS));
                Files.deleteIfExists(dir.resolve(LOCK));
                if (createdHere) Files.deleteIfExists(dir);
            } catch (IOException e) {
                // as above: something left behind, nothing lost
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public String toString() { return Objects.toString(dir); }
}
