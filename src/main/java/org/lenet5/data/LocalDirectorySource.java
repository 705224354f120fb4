package org.lenet5.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A directory already on this machine holding the files raw or gzipped (e.g. /usr/share/datasets/fashion-mnist
 * with the .gz files Zalando publishes). Gzip is recognised by content; the installer unpacks and verifies it.
 */
final class LocalDirectorySource implements DataSource {

    private final Path dir;

    LocalDirectorySource(Path dir) { this.dir = dir; }

    @Override
    public String describe() { return "local directory " + dir; }

    @Override
    public void fetch(List<String> wanted, VerifiedInstaller installer) throws SourceUnavailableException {
        if (!Files.isDirectory(dir)) throw new SourceUnavailableException("not present");
        for (String name : wanted) {
            Path file = Files.isRegularFile(dir.resolve(name)) ? dir.resolve(name) : dir.resolve(name + ".gz");
            if (!Files.isRegularFile(file)) {
                installer.log().println(Sha256Table.key(installer.kind(), name) + ": not in " + dir);
                continue;
            }
            try (InputStream in = Files.newInputStream(file)) {
                installer.install(name, in, file.toString());
            } catch (IOException e) {
                installer.log().println(Sha256Table.key(installer.kind(), name) + ": cannot copy " + file + " ("
                        + IdxReader.oneLine(e) + ")");
            }
        }
    }
}
