package org.lenet5.checkpoint;

import org.lenet5.model.Architecture;
import org.lenet5.model.Initializer;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointFileTest {

    @TempDir Path dir;

    /** A checkpoint with seeded parameters, optional optimizer state and awkward values that must survive bit for bit. */
    static Checkpoint sample(Architecture arch, int stateBuffers, long seed) {
        ModelSpec spec = ModelSpec.forImages(arch, 28, 28);
        Preprocessing prep = Preprocessing.forArchitecture(arch, 28, 28);
        float[] p = Initializer.initialParameters(spec, seed);
        p[0] = -0.0f;
        p[1] = Float.MIN_VALUE;          // subnormal
        p[2] = Float.MAX_VALUE;
        p[p.length - 1] = Math.nextUp(1.0f);
        float[][] state = new float[stateBuffers][p.length];
        SeededRandom rng = new SeededRandom(seed + 1);
        for (float[] s : state) for (int i = 0; i < s.length; i++) s[i] = (float) rng.nextGaussian();
        Map<String, String> meta = new HashMap<>();
        meta.put(Checkpoint.DATASET, "mnist");
        meta.put(Checkpoint.LENET5_VERSION, "test");
        meta.put("train.epoch", "3");
        meta.put("train.rng", Long.toString(-1234567890123L));
        meta.put("note", "Größe ✓ with\nnewline");
        meta.put("empty", "");
        return new Checkpoint(spec, prep, p, state, meta);
    }

    static void assertSameContent(Checkpoint want, Checkpoint got) {
        assertEquals(want.spec(), got.spec());
        assertEquals(want.preprocessing(), got.preprocessing());
        assertEquals(want.parameters().length, got.parameters().length);
        for (int i = 0; i < want.parameters().length; i++)
            assertEquals(Float.floatToRawIntBits(want.parameters()[i]), Float.floatToRawIntBits(got.parameters()[i]),
                    "parameter " + i);
        assertEquals(want.optimizerState().length, got.optimizerState().length);
        for (int s = 0; s < want.optimizerState().length; s++)
            assertArrayEquals(want.optimizerState()[s], got.optimizerState()[s], 0f, "optimizer state " + s);
        assertEquals(want.metadata(), got.metadata());
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private UserException readFails(Path f) {
        UserException e = assertThrows(UserException.class, () -> CheckpointFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) || e.getMessage().contains(f.toString()),
                "message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    // ------------------------------------------------------------------------------------------- round trip

    @Test
    void fluxCheckpointWithAdamStateRoundTripsBitExactly() {
        Checkpoint c = sample(Architecture.FLUX, 2, 7);
        Path f = dir.resolve("model.lenet5");
        CheckpointFile.write(f, c);
        assertSameContent(c, CheckpointFile.read(f));
        assertSameContent(c, CheckpointFile.read(f, ModelSpec.flux()));
        assertEquals(c, CheckpointFile.read(f), "equality compares contents");
        assertNotEquals(sample(Architecture.FLUX, 2, 8), CheckpointFile.read(f));
    }

    @Test
    void classicCheckpointWithoutOptimizerStateRoundTrips() {
        Checkpoint c = sample(Architecture.CLASSIC, 0, 8);
        Path f = dir.resolve("classic.lenet5");
        CheckpointFile.write(f, c);
        Checkpoint back = CheckpointFile.read(f);
        assertSameContent(c, back);
        assertEquals(2, back.preprocessing().pad());
        assertEquals(61_706, back.parameters().length);
    }

    @Test
    void encodingFollowsTheDocumentedLayout() {
        Checkpoint c = sample(Architecture.FLUX, 1, 9);
        byte[] bytes = CheckpointFile.encode(c);
        assertArrayEquals(RawCheckpoint.of(c).bytes(), bytes, "independent writer of the documented format");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x89, bytes[0] & 0xFF);
        assertEquals("LENET5\n", new String(bytes, 1, 7, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(8));
        assertEquals(bytes.length, b.getLong(12));
        // 44,426 parameters + one state buffer as float32, plus the header, tables and checksum
        assertEquals(2 * 44_426 * 4, bytes.length - RawCheckpoint.of(c).dataStart() - 4);
    }

    @Test
    void identicalContentGivesIdenticalBytesWhateverTheMetadataOrder() throws IOException {
        Checkpoint a = sample(Architecture.FLUX, 2, 11);
        Map<String, String> reversed = new LinkedHashMap<>();
        List<String> keys = a.metadata().keySet().stream().sorted((x, y) -> y.compareTo(x)).toList();
        for (String k : keys) reversed.put(k, a.metadata().get(k));
        Checkpoint b = new Checkpoint(a.spec(), a.preprocessing(), a.parameters().clone(),
                new float[][]{a.optimizerState()[0].clone(), a.optimizerState()[1].clone()}, reversed);
        Path fa = dir.resolve("a.lenet5"), fb = dir.resolve("b.lenet5");
        CheckpointFile.write(fa, a);
        CheckpointFile.write(fb, b);
        assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(fb));
        CheckpointFile.write(fa, a);   // overwrite: same bytes again
        assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(fb));
    }

    // ------------------------------------------------------------------------------------------- writing

    @Test
    void writeReplacesTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("run/model.lenet5");   // the directory is created
        CheckpointFile.write(f, sample(Architecture.FLUX, 0, 1));
        Checkpoint second = sample(Architecture.FLUX, 2, 2);
        CheckpointFile.write(f, second);
        assertSameContent(second, CheckpointFile.read(f));
        try (Stream<Path> files = Files.list(f.getParent())) {
            assertEquals(List.of("model.lenet5"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void failedWriteKeepsThePreviousCheckpointAndNamesTheTarget() throws IOException {
        Path f = dir.resolve("model.lenet5");
        Checkpoint good = sample(Architecture.FLUX, 0, 3);
        CheckpointFile.write(f, good);
        // Something that is not a file sits where the temporary file would go: opening it fails mid-write.
        Path blocker = CheckpointFile.temporaryFileFor(f);
        Files.createDirectory(blocker);
        Files.writeString(blocker.resolve("x"), "keep");
        UserException e = assertThrows(UserException.class, () -> CheckpointFile.write(f, sample(Architecture.FLUX, 0, 4)));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + f + ": "), e.getMessage());
        assertSameContent(good, CheckpointFile.read(f));
        assertTrue(Files.isDirectory(blocker), "only our own temporary file is ever removed");
    }

    @Test
    void writeIntoAPathBelowARegularFileIsAUserError() throws IOException {
        Path notDir = writeBytes("plain", new byte[]{1});
        Path f = notDir.resolve("model.lenet5");
        UserException e = assertThrows(UserException.class, () -> CheckpointFile.write(f, sample(Architecture.FLUX, 0, 5)));
        assertTrue(e.getMessage().startsWith("cannot write checkpoint " + f + ": "), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- reading errors

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.lenet5");
        assertEquals("checkpoint " + f + " does not exist", readFails(f).getMessage());
    }

    @Test
    void directoryIsNotACheckpoint() {
        assertEquals(dir + " is a directory, not a checkpoint file", readFails(dir).getMessage());
    }

    @Test
    void emptyFileIsNotACheckpoint() throws IOException {
        Path f = writeBytes("empty.lenet5", new byte[0]);
        assertEquals(f + " is empty, not a lenet5 checkpoint", readFails(f).getMessage());
    }

    @Test
    void otherFileIsNotACheckpoint() throws IOException {
        Path f = writeBytes("digit.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13});
        assertEquals(f + " is not a lenet5 checkpoint (it does not start with the checkpoint magic bytes)",
                readFails(f).getMessage());
        Path text = writeBytes("notes.lenet5", "hello world, this is text\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(readFails(text).getMessage().contains("is not a lenet5 checkpoint"));
    }

    @Test
    void newerFormatVersionIsRefusedWithBothVersions() throws IOException {
        byte[] bytes = CheckpointFile.encode(sample(Architecture.FLUX, 0, 1));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Path f = writeBytes("v2.lenet5", bytes);
        assertEquals(f + " is checkpoint format version 2; this lenet5 reads version 1", readFails(f).getMessage());
    }

    @Test
    void truncatedFileSaysHowMuchIsThere() throws IOException {
        byte[] bytes = CheckpointFile.encode(sample(Architecture.FLUX, 0, 1));
        Path f = writeBytes("cut.lenet5", Arrays.copyOf(bytes, 1000));
        assertEquals(f + " is truncated: it has 1000 of the " + bytes.length + " bytes its header states",
                readFails(f).getMessage());
        Path g = writeBytes("cut2.lenet5", Arrays.copyOf(bytes, 12));
        assertEquals(g + " is truncated: 12 bytes, shorter than the 20-byte checkpoint header", readFails(g).getMessage());
        Path h = writeBytes("cut3.lenet5", Arrays.copyOf(bytes, 5));
        assertTrue(readFails(h).getMessage().contains("is truncated"), "a prefix of the magic is a truncated checkpoint");
    }

    @Test
    void flippedDataByteIsACorruptionCaughtByTheChecksum() throws IOException {
        byte[] bytes = CheckpointFile.encode(sample(Architecture.FLUX, 0, 1));
        bytes[bytes.length / 2] ^= 0x10;
        Path f = writeBytes("flip.lenet5", bytes);
        String m = readFails(f).getMessage();
        assertTrue(m.matches(java.util.regex.Pattern.quote(f.toString())
                + " is corrupted: its CRC32 is [0-9a-f]{8} but the file records [0-9a-f]{8}"), m);
    }

    @Test
    void bytesAfterTheStatedEndAreACorruption() throws IOException {
        byte[] bytes = CheckpointFile.encode(sample(Architecture.FLUX, 0, 1));
        Path f = writeBytes("long.lenet5", Arrays.copyOf(bytes, bytes.length + 3));
        assertEquals(f + " is corrupted: it has 3 bytes after the end its header states (" + bytes.length + " bytes)",
                readFails(f).getMessage());
    }

    @Test
    void tensorWithTheWrongShapeIsNamedWithBothShapes() throws IOException {
        // A flux header whose fc1.weight has the classic shape (120, 400).
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.replace("fc1.weight", new RawCheckpoint.Tensor("fc1.weight", new int[]{120, 400}, new float[120 * 400]));
        Path f = writeBytes("shape.lenet5", raw.bytes());
        assertEquals(f + ": tensor fc1.weight has shape (120, 400) but a flux 28x28 model needs (120, 256)",
                readFails(f).getMessage());
    }

    @Test
    void transposedTensorIsAShapeMismatch() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        RawCheckpoint.Tensor fc2 = raw.tensor("fc2.weight");
        raw.replace("fc2.weight", new RawCheckpoint.Tensor("fc2.weight", new int[]{120, 84}, fc2.data()));
        Path f = writeBytes("transposed.lenet5", raw.bytes());
        assertEquals(f + ": tensor fc2.weight has shape (120, 84) but a flux 28x28 model needs (84, 120)",
                readFails(f).getMessage());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.tensors.remove(raw.tensor("fc3.bias"));
        Path f = writeBytes("missing.lenet5", raw.bytes());
        assertEquals(f + " is malformed: tensor fc3.bias is missing", readFails(f).getMessage());
    }

    @Test
    void unknownTensorIsNamed() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.tensors.add(new RawCheckpoint.Tensor("fc4.weight", new int[]{10, 10}, new float[100]));
        Path f = writeBytes("unknown.lenet5", raw.bytes());
        assertEquals(f + " is malformed: unknown tensor 'fc4.weight' (a checkpoint holds conv1.weight ... fc3.bias"
                + " and optimizer.state.N)", readFails(f).getMessage());
    }

    @Test
    void duplicateTensorIsRefused() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.tensors.add(raw.tensor("conv1.bias"));
        Path f = writeBytes("dup.lenet5", raw.bytes());
        assertEquals(f + " is malformed: tensor conv1.bias appears twice", readFails(f).getMessage());
    }

    @Test
    void optimizerStateOfTheWrongLengthIsNamed() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 1, 1));
        raw.replace("optimizer.state.0", new RawCheckpoint.Tensor("optimizer.state.0", new int[]{100}, new float[100]));
        Path f = writeBytes("state.lenet5", raw.bytes());
        assertEquals(f + ": tensor optimizer.state.0 has shape (100) but a flux 28x28 model needs (44426)",
                readFails(f).getMessage());
    }

    @Test
    void nonFiniteParameterIsRefused() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.tensor("conv2.weight").data()[17] = Float.NaN;
        Path f = writeBytes("nan.lenet5", raw.bytes());
        assertEquals(f + ": tensor conv2.weight holds NaN at element 17; a checkpoint must hold finite values",
                readFails(f).getMessage());
    }

    @Test
    void unknownArchitectureIsNamed() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.arch = "alexnet";
        Path f = writeBytes("arch.lenet5", raw.bytes());
        assertEquals(f + " is malformed: unknown architecture 'alexnet' (expected flux or classic)", readFails(f).getMessage());
    }

    @Test
    void preprocessingThatDoesNotFitTheModelInputIsRefused() throws IOException {
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.pad = 2;
        Path f = writeBytes("prep.lenet5", raw.bytes());
        assertEquals(f + " is malformed: preprocessing makes 28x28 images with pad 2 into 32x32 input but the model"
                + " takes 28x28", readFails(f).getMessage());
    }

    @Test
    void anotherArchitectureThanExpectedIsNamed() throws IOException {
        Path f = dir.resolve("classic.lenet5");
        CheckpointFile.write(f, sample(Architecture.CLASSIC, 0, 1));
        UserException e = assertThrows(UserException.class, () -> CheckpointFile.read(f, ModelSpec.flux()));
        assertEquals(f + " holds a classic 32x32 model, not the flux 28x28 model expected here", e.getMessage());
    }

    @Test
    void hugeClaimedCountsAreRefusedBeforeAllocation() throws IOException {
        // A metadata value claiming 2 GiB, with a valid length and checksum, in a file of a few hundred KB.
        byte[] bytes = CheckpointFile.encode(sample(Architecture.FLUX, 0, 1));
        int metaCountAt = 20 + 4 + "flux".length() + 24;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, b.getInt(metaCountAt), "the sample's six metadata entries");
        b.putInt(metaCountAt + 4, 0x7FFF_FFF0);    // length of the first key
        Path f = writeBytes("huge.lenet5", RawCheckpoint.withChecksum(bytes));
        assertEquals(f + " is malformed: metadata key 0 length is 2147483632 (at most 256)", readFails(f).getMessage());

        // A model input of 4000x4000 needs about 2 billion parameters: refused by arithmetic, not by allocating.
        RawCheckpoint raw = RawCheckpoint.of(sample(Architecture.FLUX, 0, 1));
        raw.inputHeight = raw.inputWidth = raw.imageRows = raw.imageCols = 4000;
        Path g = writeBytes("wide.lenet5", raw.bytes());
        assertTrue(readFails(g).getMessage().matches(".* is malformed: a flux 4000x4000 model has \\d+ parameters, more"
                + " than the \\d+ bytes left can hold"));
    }

    @Test
    void fileLargerThanTheHeapIsRefusedWithOneLineNotAnOutOfMemoryError() throws Exception {
        // 64 MiB (sparse) with a valid magic, version and length: under MAX_FILE_BYTES, so it is read whole, which a
        // 32 MiB heap cannot do. A child JVM, since this one's heap is large; lenet5 evaluate reads the model first.
        Path f = dir.resolve("big.lenet5");
        long size = 64L << 20;
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                    .put(CheckpointFile.MAGIC).putInt(CheckpointFile.VERSION).putLong(size).array());
            raf.setLength(size);
        }
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", System.getProperty("java.class.path"), org.lenet5.cli.Main.class.getName(),
                "evaluate", "--model", f.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "a hang guard");
        List<String> lines = Files.readAllLines(err).stream().filter(l -> !l.startsWith("WARNING: ")).toList();
        assertEquals(1, p.exitValue(), String.join("\n", lines));
        assertEquals(List.of("error: " + f + " is " + size + " bytes, more than this Java heap can hold to check it"
                + " (a lenet5 checkpoint is under 1 MB); raise the heap with JAVA_OPTS=-Xmx... if it really is one"), lines);
    }

    @Test
    void checkpointConstructorRefusesParametersOfTheWrongLength() {
        ModelSpec spec = ModelSpec.flux();
        Preprocessing prep = Preprocessing.forArchitecture(Architecture.FLUX, 28, 28);
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(spec, prep, new float[10], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(spec,
                Preprocessing.forArchitecture(Architecture.CLASSIC, 28, 28), new float[44_426], Map.of()));
    }
}
