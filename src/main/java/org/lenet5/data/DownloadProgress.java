package org.lenet5.data;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A progress bar on stderr for a download, shown only when stderr is a terminal (never in logs or CI output). */
final class DownloadProgress {

    private DownloadProgress() {}

    /** The stream, counted by a progress bar that closes with it when stderr is a terminal; else the stream itself. */
    static InputStream wrap(InputStream in, String task, long totalBytes) {
        if (!stderrIsTerminal()) return in;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" MiB", 1 << 20).showSpeed().clearDisplayOnFinish()
                .setInitialMax(totalBytes > 0 ? totalBytes : -1);
        return ProgressBar.wrap(in, b);
    }

    /**
     * Java has no isatty for stderr; on Linux /proc/self/fd/2 points at the terminal device. Elsewhere
     * System.console() (stdin and stdout are terminals) is the nearest sign.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
