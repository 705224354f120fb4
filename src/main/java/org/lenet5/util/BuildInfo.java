package org.lenet5.util;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which lenet5 ran: the version from the jar manifest and the git commit of the checkout the code was loaded from.
 *
 * <p>The commit is asked of git at run time, in the directory holding the running code (target/lenet5.jar or
 * target/classes, both inside the checkout), not in the working directory. A build-time record was tried
 * (git-commit-id-maven-plugin): 9.x resolves a git worktree to its main checkout and so records the wrong commit
 * and dirtiness, and 10.x needs Maven 3.9. The launcher rebuilds the jar whenever the sources change, so the
 * checkout's HEAD is the code that runs; a jar copied out of its checkout says "unknown".
 *
 * @param version lenet5 version ("dev" when run from classes rather than the jar)
 * @param commit  full commit id, with " (uncommitted changes)" when tracked files differ from it, or "unknown (why)"
 */
public record BuildInfo(String version, String commit) {

    public static BuildInfo collect() {
        return new BuildInfo(Version.get(), commit(codeDirectory()));
    }

    static Path codeDirectory() {
        try {
            Path p = Path.of(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(p) ? p : p.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** HEAD of the git checkout holding dir, marked when tracked files have uncommitted changes. */
    static String commit(Path dir) {
        if (dir == null) return "unknown (the code's location is not known)";
        try {
            String head = git(dir, "rev-parse", "HEAD").strip();
            String status = git(dir, "status", "--porcelain", "--untracked-files=no").strip();
            return head + (status.isEmpty() ? "" : " (uncommitted changes)");
        } catch (IOException e) {
            return "unknown (" + dir + " is not in a git checkout, or git is missing)";
        }
    }

    private static String git(Path dir, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git did not finish");
            }
            if (p.exitValue() != 0) throw new IOException("git exited with " + p.exitValue());
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
