package org.lenet5.data;

import org.lenet5.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compares a dataset's files on disk with the SHA-256 table. */
public final class DataVerifier {

    private DataVerifier() {}

    /** Each of the four files of {@code kind} under {@code dataDir}: OK, WRONG or MISSING, in file order. */
    public static List<FileCheck> check(DatasetKind kind, Path dataDir, Sha256Table table) {
        List<FileCheck> checks = new ArrayList<>();
        for (String name : kind.fileNames()) checks.add(check(kind, dataDir, name, table));
        return checks;
    }

    public static FileCheck check(DatasetKind kind, Path dataDir, String name, Sha256Table table) {
        Path path = DataPaths.datasetDir(dataDir, kind).resolve(name);
        String key = Sha256Table.key(kind, name), expected = table.expected(kind, name);
        if (!Files.exists(path)) return new FileCheck(key, path, FileCheck.Status.MISSING, expected, null);
        if (!Files.isRegularFile(path)) throw new UserException(path + ": is not a regular file");
        try {
            String actual = Sha256.of(path);
            return new FileCheck(key, path, actual.equals(expected) ? FileCheck.Status.OK : FileCheck.Status.WRONG,
                    expected, actual);
        } catch (IOException e) {
            throw new UserException(path + ": cannot read (" + IdxReader.oneLine(e) + ")", e);
        }
    }
}
