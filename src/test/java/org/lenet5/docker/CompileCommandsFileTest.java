package org.lenet5.docker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * src/main/jvm/compile-commands.txt, which ./lenet5 and the Docker image pass to the JVM: HotSpot accepts every line
 * without a word on stdout (it prints its commands, and its parse errors, there, into lenet5's own output, and
 * starts anyway), every class it names exists (a renamed class would silently lose its setting), and both launchers
 * pass the file.
 */
class CompileCommandsFileTest {

    private static final Path FILE = Path.of("src/main/jvm/compile-commands.txt");
    private static final Pattern SCALING =
            Pattern.compile("CompileThresholdScaling,([\\w.$]+)::\\*,(\\d*\\.\\d+)");

    private static List<String> commands() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(FILE)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) lines.add(s);
        }
        return lines;
    }

    @Test
    void quietComesFirstAndEveryOtherCommandScalesAnExistingClass() throws Exception {
        List<String> commands = commands();
        assertEquals("quiet", commands.get(0), "without quiet first HotSpot prints each command on stdout");
        assertTrue(commands.size() > 1, "the file scales some classes");
        List<String> classes = new ArrayList<>();
        for (String c : commands.subList(1, commands.size())) {
            Matcher m = SCALING.matcher(c);
            assertTrue(m.matches(), "not a CompileThresholdScaling,<class>::*,<factor> command: " + c);
            double factor = Double.parseDouble(m.group(2));
            assertTrue(factor > 0 && factor < 1, "a factor that compiles earlier, in (0, 1): " + c);
            Class.forName(m.group(1), false, getClass().getClassLoader());   // throws if the class was renamed
            classes.add(m.group(1));
        }
        for (String glue : List.of("org.lenet5.backend.cpu.CpuBackend", "org.lenet5.backend.cpu.ChunkWorker",
                "org.lenet5.backend.cpu.WorkerPool", "org.lenet5.train.Trainer"))
            assertTrue(classes.contains(glue), "the per-step glue " + glue + " is scaled");
    }

    @Test
    void hotSpotReadsTheFileWithoutPrintingAnything() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-XX:CompileCommandFile=" + FILE.toAbsolutePath(), "-version")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -version finished");
        assertEquals(0, p.exitValue());
        assertEquals("", out, "HotSpot's stdout with the file (a parse error or a missing quiet shows here)");
    }

    @Test
    void theLauncherAndTheImagePassTheFile() throws IOException {
        List<String> launcher = Files.readAllLines(Path.of("lenet5"));
        String jit = "jit=\"-XX:CompileCommandFile=$here/" + FILE + "\"";
        assertTrue(launcher.stream().anyMatch(l -> l.strip().equals(jit)), "./lenet5 sets " + jit);
        assertTrue(launcher.stream().anyMatch(l -> l.startsWith("exec java ") && l.contains(" \"$jit\" ")),
                "./lenet5's exec java line passes \"$jit\"");
        String docker = Files.readString(Path.of("docker/Dockerfile"));
        assertTrue(docker.contains("COPY " + FILE + " /opt/lenet5/compile-commands.txt"), "the image holds the file");
        assertTrue(docker.lines().anyMatch(l -> l.strip().startsWith("'exec java ")
                        && l.contains(" -XX:CompileCommandFile=/opt/lenet5/compile-commands.txt ")),
                "the image's launcher (the exec java line it writes) passes the file");
    }
}
