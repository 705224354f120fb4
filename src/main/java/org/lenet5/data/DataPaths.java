package org.lenet5.data;

import java.nio.file.Path;
import java.util.Map;

/** Where datasets live: {@code <data-dir>/<dataset id>/<file>}. */
public final class DataPaths {

    /** The environment variable that overrides the default data directory. */
    public static final String DATA_DIR_ENV = "LENET5_DATA_DIR";

    private DataPaths() {}

    /** $LENET5_DATA_DIR if set, else ./data relative to the working directory (the launcher runs from the repo root). */
    public static Path defaultDataDir() { return defaultDataDir(System.getenv()); }

    static Path defaultDataDir(Map<String, String> env) {
        String dir = env.get(DATA_DIR_ENV);
        return dir == null || dir.isBlank() ? Path.of("data") : Path.of(dir);
    }

    /** The directory holding one dataset's four files. */
    public static Path datasetDir(Path dataDir, DatasetKind kind) { return dataDir.resolve(kind.id()); }
}
