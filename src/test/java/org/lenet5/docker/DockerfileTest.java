package org.lenet5.docker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What can be checked of docker/Dockerfile without a Docker engine: the base image's CUDA major version is the
 * one the JCuda natives link (libcublas.so.N, libnvrtc.so.N) and pom.xml's jcuda.version names; the image
 * checks for the cuDNN the JCudnn natives link (libcudnn.so.N); the jar it copies is the one the build makes.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");

    @Test
    void baseImageCudaMajorMatchesPomAndTheLibrariesTheNativesLink() throws IOException {
        String docker = Files.readString(DOCKERFILE);
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher from = Pattern.compile("(?m)^FROM nvidia/cuda:(\\d+)\\.(\\d+)\\.(\\d+)-(cudnn\\d*)-runtime-(\\S+)\\s*$").matcher(docker);
        assertTrue(from.find(), "the runtime stage is FROM nvidia/cuda:<x.y.z>-cudnn-runtime-<os>");
        int imageMajor = Integer.parseInt(from.group(1));

        String jcuda = property(pom, "jcuda.version");
        assertEquals(Integer.parseInt(jcuda.split("\\.")[0]), imageMajor, "CUDA major of the image vs jcuda.version " + jcuda);
        assertEquals("libcublas.so." + imageMajor, linkedLibrary("JCublas2", "libcublas"), "cuBLAS the JCublas2 natives link");
        assertEquals("libnvrtc.so." + imageMajor, linkedLibrary("JNvrtc", "libnvrtc"), "NVRTC the JNvrtc natives link");
        // JCuda 12.6.0's natives use CUDA 12.x symbols; an image older than the natives' minor could lack some.
        assertTrue(Integer.parseInt(from.group(2)) >= Integer.parseInt(jcuda.split("\\.")[1]),
                "image CUDA " + from.group(1) + "." + from.group(2) + " is at least JCuda's " + jcuda);
    }

    @Test
    void imageHasTheCudnnMajorTheJcudnnNativesLink() throws IOException {
        String docker = Files.readString(DOCKERFILE);
        String cudnn = linkedLibrary("JCudnn", "libcudnn");
        assertEquals("libcudnn.so.9", cudnn, "JCudnn 12.6.0 natives link cuDNN 9");
        Matcher from = Pattern.compile("(?m)^FROM nvidia/cuda:\\S+-(cudnn\\d*)-runtime-").matcher(docker);
        assertTrue(from.find());
        String variant = from.group(1);
        // Tags with an explicit number name the cuDNN major (cudnn8 = cuDNN 8); the plain "cudnn" tags of CUDA 12.4+
        // carry cuDNN 9, which the build checks for by its soname.
        assertTrue(variant.equals("cudnn") || variant.equals("cudnn9"), "image variant " + variant);
        for (String lib : List.of(cudnn, linkedLibrary("JCublas2", "libcublas")))
            assertTrue(docker.contains("ldconfig -p | grep -q '" + lib + " '"), "the image build fails unless it has " + lib);
    }

    @Test
    void imageCopiesTheJarTheBuildProduces() throws IOException {
        String docker = Files.readString(DOCKERFILE);
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher fn = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertTrue(fn.find());
        assertTrue(pom.contains("<artifactId>maven-shade-plugin</artifactId>"), "the shade plugin makes the runnable jar");
        assertFalse(pom.contains("<shadedArtifactAttached>true"), "the shaded jar replaces target/<finalName>.jar");
        String jar = "target/" + fn.group(1) + ".jar";
        assertTrue(docker.contains("COPY --from=build /build/" + jar + " "), "the runtime stage copies " + jar);
        assertTrue(docker.contains("RUN mvn -B -q -DskipTests package"), "the build stage builds it");
        // Every resource directory pom.xml packs must be in the build stage.
        Matcher dirs = Pattern.compile("<resource>\\s*<directory>([^<]+)</directory>(.*?)</resource>", Pattern.DOTALL).matcher(pom);
        int resources = 0;
        while (dirs.find()) {
            resources++;
            String dir = dirs.group(1).trim();
            Matcher include = Pattern.compile("<include>([^<*]+)</include>").matcher(dirs.group(2));
            boolean copied = docker.contains("COPY " + dir + " ./" + dir) || docker.contains("COPY src ./src") && dir.startsWith("src/");
            if (!copied && include.find()) copied = docker.contains("COPY " + dir + "/" + include.group(1) + " ./" + dir + "/" + include.group(1));
            assertTrue(copied, "the build stage copies the resource directory " + dir);
        }
        assertTrue(resources >= 3, "src/main/resources, data (SHA256SUMS), native-kernels");
    }

    @Test
    void entrypointIsLenet5WithAWritableNativesDirectory() throws IOException {
        String docker = Files.readString(DOCKERFILE);
        assertTrue(docker.contains("ENTRYPOINT [\"lenet5\"]"));
        assertTrue(docker.contains("-Djava.io.tmpdir=/var/lib/lenet5/natives"), "JCuda unpacks its natives into java.io.tmpdir");
        assertTrue(docker.contains("chmod 1777 /var/lib/lenet5/natives"), "writable by any user");
        Matcher jre = Pattern.compile("FROM eclipse-temurin:(\\d+)-jre").matcher(docker);
        assertTrue(jre.find());
        assertEquals(property(Files.readString(Path.of("pom.xml")), "maven.compiler.release"), jre.group(1), "Java runtime version");
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1).trim();
    }

    /**
     * The soname (e.g. libcudnn.so.9) that a JCuda native library links, read from its dynamic string table
     * (the library is a resource of the natives jar on the class path).
     */
    static String linkedLibrary(String jcudaLibrary, String prefix) throws IOException {
        String version = property(Files.readString(Path.of("pom.xml")), "jcuda.version");
        String resource = "/lib/lib" + jcudaLibrary + "-" + version + "-linux-x86_64.so";
        try (InputStream in = DockerfileTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " on the class path (a natives jar in pom.xml)");
            String bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            Matcher m = Pattern.compile(Pattern.quote(prefix) + "\\.so\\.\\d+").matcher(bytes);
            List<String> found = new ArrayList<>();
            while (m.find()) if (!found.contains(m.group())) found.add(m.group());
            assertEquals(1, found.size(), jcudaLibrary + " names " + found);
            return found.get(0);
        }
    }
}
