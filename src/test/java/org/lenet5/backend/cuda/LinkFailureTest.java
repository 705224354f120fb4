package org.lenet5.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** One-line descriptions of JCuda's library-loading failures, from the texts JCuda 12.6.0 produces. */
class LinkFailureTest {

    /** The shape of JCuda's first-load message (LibUtils.loadLibrary), as seen on a machine without the driver. */
    private static String jcudaMessage(String library, String cause) {
        return "Error while loading native library \"" + library + "-12.6.0-linux-x86_64\"\n"
                + "Operating system name: Linux\nArchitecture         : amd64\nArchitecture bit size: 64\n"
                + "---(start of nested stack traces)---\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no " + library + "-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
                + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/lib" + library + "-12.6.0-linux-x86_64.so: " + cause + "\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)\n"
                + "---(end of nested stack traces)---\n";
    }

    @Test
    void missingSystemLibraryIsNamed() {
        Throwable e = new UnsatisfiedLinkError(jcudaMessage("JCudnn", "libcudnn.so.9: cannot open shared object file: No such file or directory"));
        assertEquals("libcudnn.so.9 (cuDNN 9) not found", LinkFailure.describe(e, "libcudnn.so.9", "cuDNN 9"));
        Throwable d = new UnsatisfiedLinkError(jcudaMessage("JCudaDriver", "libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertEquals("libcuda.so.1 (NVIDIA driver) not found", LinkFailure.describe(d, "libcuda.so.1", "NVIDIA driver"));
    }

    @Test
    void theShortFormOfTheMissingLibraryMessageIsNamedTheSameWay() {
        Throwable e = new UnsatisfiedLinkError(jcudaMessage("JCublas2", "libcublas.so.12: cannot open"));
        assertEquals("libcublas.so.12 (cuBLAS 12) not found", LinkFailure.describe(e, "libcublas.so.12", "cuBLAS 12"));
    }

    @Test
    void aMissingDependencyOfTheLibraryIsNamedAsSuch() {
        Throwable e = new UnsatisfiedLinkError(jcudaMessage("JCudnn", "libcublasLt.so.12: cannot open shared object file: No such file or directory"));
        assertEquals("libcublasLt.so.12 (needed by cuDNN 9) not found", LinkFailure.describe(e, "libcudnn.so.9", "cuDNN 9"));
    }

    @Test
    void anotherLoadErrorKeepsItsCause() {
        Throwable e = new UnsatisfiedLinkError(jcudaMessage("JCublas2", "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.17' not found"));
        String s = LinkFailure.describe(e, "libcublas.so.12", "cuBLAS 12");
        assertTrue(s.startsWith("libcublas.so.12 (cuBLAS 12) could not be loaded: "), s);
        assertTrue(s.contains("GLIBC_2.17"), s);
        assertFalse(s.contains("\n"), "one line");
    }

    @Test
    void aLaterUseOfTheFailedClassStillNamesTheLibrary() {
        Throwable e = new NoClassDefFoundError("Could not initialize class jcuda.jcublas.JCublas2");
        assertEquals("libcublas.so.12 (cuBLAS 12) not found", LinkFailure.describe(e, "libcublas.so.12", "cuBLAS 12"));
    }
}
