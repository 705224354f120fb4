package org.lenet5.backend.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns JCuda's failure to load a native library into one line naming what is missing.
 *
 * <p>The first use of a JCuda class throws UnsatisfiedLinkError with a long multi-line text whose nested
 * "load as a resource" trace holds the real cause, e.g. "libcudnn.so.9: cannot open shared object file";
 * every later use throws NoClassDefFoundError "Could not initialize class ..." without it. So the library the
 * JCuda binding needs is passed in and used when the text does not name one.
 */
public final class LinkFailure {

    // "cannot open shared object file: No such file or directory"; a second load in the same JVM (a sweep's trials)
    // has been seen to report only "cannot open".
    private static final Pattern MISSING = Pattern.compile("(lib[\\w.+-]+?\\.so(?:\\.\\d+)*): cannot open\\b");
    private static final Pattern RESOURCE_CAUSE = Pattern.compile(
            "attempt to load the library as a resource:\\s*\\R\\s*java\\.lang\\.UnsatisfiedLinkError: (?:\\S+\\.so: )?([^\\r\\n]+)");

    private LinkFailure() {}

    /**
     * @param error    what loading the JCuda class threw
     * @param expected the system library that binding links, e.g. "libcudnn.so.9"
     * @param role     what that library is, e.g. "cuDNN 9"
     * @return e.g. "libcudnn.so.9 (cuDNN 9) not found"
     */
    public static String describe(Throwable error, String expected, String role) {
        String text = fullText(error);
        Matcher m = MISSING.matcher(text);
        if (m.find()) {
            String lib = m.group(1);
            return lib + (lib.equals(expected) ? " (" + role + ")" : " (needed by " + role + ")") + " not found";
        }
        Matcher r = RESOURCE_CAUSE.matcher(text);
        if (r.find()) return expected + " (" + role + ") could not be loaded: " + r.group(1).trim();
        return expected + " (" + role + ") not found";
    }

    private static String fullText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 100_000; c = c.getCause()) {
            if (c.getMessage() != null) sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
