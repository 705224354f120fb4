package org.lenet5.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The expected SHA-256 of every dataset file, in sha256sum format ({@code <hash>  <dataset id>/<file>}), so that
 * {@code cd data && sha256sum -c SHA256SUMS} checks a data directory too. The table is kept in the repository as
 * data/SHA256SUMS and packaged into the jar (see pom.xml), so the jar checks against it wherever it runs.
 * All hashes are of the uncompressed IDX files, the form kept in the data directory, for both datasets.
 */
public final class Sha256Table {

    /** Where data/SHA256SUMS lies inside the jar. */
    public static final String RESOURCE = "/org/lenet5/data/SHA256SUMS";

    private final Map<String, String> hashes; // "mnist/train-images-idx3-ubyte" -> 64 hex digits

    private Sha256Table(Map<String, String> hashes) { this.hashes = Collections.unmodifiableMap(hashes); }

    /** The table packaged into the jar. */
    public static Sha256Table packaged() {
        try (InputStream in = Sha256Table.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the jar (see pom.xml resources)");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /** Parses sha256sum output; any other line is an error (the table is ours, so a bad line is a bug). */
    public static Sha256Table parse(String text, String source) {
        Map<String, String> hashes = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            // "<hash>  <name>" (text mode) or "<hash> *<name>" (binary mode)
            if (!line.matches("[0-9a-f]{64} [ *]\\S+"))
                throw new IllegalArgumentException(source + " line " + (i + 1) + " is not '<sha256>  <file>': " + line);
            hashes.put(line.substring(66), line.substring(0, 64));
        }
        return new Sha256Table(hashes);
    }

    public static String key(DatasetKind kind, String fileName) { return kind.id() + "/" + fileName; }

    /** The expected hash of one dataset file. */
    public String expected(DatasetKind kind, String fileName) {
        String h = hashes.get(key(kind, fileName));
        if (h == null) throw new IllegalStateException("no SHA-256 for " + key(kind, fileName) + " in the table");
        return h;
    }

    public Map<String, String> entries() { return hashes; }
}
