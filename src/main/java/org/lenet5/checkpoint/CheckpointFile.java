package org.lenet5.checkpoint;

import org.lenet5.model.Architecture;
import org.lenet5.model.ModelSpec;
import org.lenet5.model.ParamTensor;
import org.lenet5.model.ParameterLayout;
import org.lenet5.model.Preprocessing;
import org.lenet5.util.AtomicFiles;
import org.lenet5.util.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The lenet5 checkpoint file: an explicit binary format of our own, read field by field (never Java
 * serialization: a checkpoint is data, not code). All integers and floats are little-endian.
 *
 * <pre>
 * offset  bytes  field
 * 0       8      magic 89 4C 45 4E 45 54 35 0A ("\x89LENET5\n": the high byte catches 7-bit transfers,
 *                the newline catches line-ending conversion, as in PNG)
 * 8       4      u32 format version, 1
 * 12      8      i64 file length in bytes, this header and the checksum included
 * 20             model:
 *                  str  architecture id ("flux" or "classic")
 *                  i32  network input height, i32 network input width (padding included)
 *                  i32  image rows, i32 image cols, i32 pad, f32 scale   (model.Preprocessing)
 *                metadata:
 *                  u32  entry count (at most 4096)
 *                  per entry, sorted by key (UTF-16 order, as java.util.TreeMap), keys unique:
 *                    str key (at most 256 bytes), str value (at most 1 MiB)
 *                tensor table:
 *                  u32  tensor count (at most 64)
 *                  per tensor: str name (at most 256 bytes), u32 rank (1 to 4), rank x u32 dimensions
 *                tensor data: each tensor's float32 values in table order, row-major, nothing between them
 * L-4     4      u32 CRC32 (zlib's crc32, java.util.zip.CRC32) of bytes [0, L-4)
 *
 * str = u32 byte length, then that many bytes of UTF-8 (no terminator)
 * </pre>
 *
 * Tensors: the parameters by their {@link ParameterLayout} names ("conv1.weight" (6, 1, 5, 5), ... "fc3.bias" (10)),
 * then the optimizer state buffers "optimizer.state.0", "optimizer.state.1", ... each of shape (parameter count).
 * The writer writes them in that order; the reader accepts any order but requires every parameter tensor, the
 * shapes the architecture needs, consecutive state numbers, and finite values.
 *
 * <p>Writing is atomic: the bytes go to a temporary file beside the target, are forced to disk, and the temporary
 * file is renamed over the target, so a crash leaves either the old checkpoint or the new one, never half of one.
 * The same content always gives the same bytes (no timestamps, sorted metadata).
 *
 * <p>Reading checks, in this order, before trusting anything: the magic, the version, the stated length against the
 * file's length (truncation), the CRC32 (corruption), then every count and size against the bytes that remain,
 * before any allocation. Each problem is one {@link UserException} line naming the file.
 */
public final class CheckpointFile {

    public static final byte[] MAGIC = {(byte) 0x89, 'L', 'E', 'N', 'E', 'T', '5', '\n'};
    public static final int VERSION = 1;
    /** The usual file name inside a run directory. */
    public static final String DEFAULT_NAME = "model.lenet5";
    public static final String OPTIMIZER_STATE_PREFIX = "optimizer.state.";

    static final int HEADER_BYTES = 8 + 4 + 8;
    static final int CHECKSUM_BYTES = 4;
    /** No real LeNet-5 checkpoint comes near this (44,426 parameters with Adam state: about 530 KB). */
    public static final long MAX_FILE_BYTES = 1L << 30;
    static final int MAX_NAME_BYTES = 256;
    static final int MAX_VALUE_BYTES = 1 << 20;
    static final int MAX_METADATA_ENTRIES = 4096;
    static final int MAX_TENSORS = 64;
    static final int MAX_RANK = 4;
    static final int MAX_PAD = 64;

    private CheckpointFile() {}

    // ------------------------------------------------------------------------------------------------ writing

    /** The file's bytes for this checkpoint; identical content gives identical bytes. */
    public static byte[] encode(Checkpoint c) {
        ParameterLayout layout = c.layout();
        List<byte[]> keys = new ArrayList<>(), values = new ArrayList<>();
        if (c.metadata().size() > MAX_METADATA_ENTRIES)
            throw new IllegalArgumentException(c.metadata().size() + " metadata entries (at most " + MAX_METADATA_ENTRIES + ")");
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            keys.add(utf8(e.getKey(), MAX_NAME_BYTES, "metadata key"));
            values.add(utf8(e.getValue(), MAX_VALUE_BYTES, "metadata value of " + e.getKey()));
        }
        byte[] arch = utf8(c.spec().arch().id(), MAX_NAME_BYTES, "architecture");
        List<byte[]> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (ParamTensor t : layout.tensors()) {
            names.add(utf8(t.name(), MAX_NAME_BYTES, "tensor name"));
            shapes.add(t.shape());
            data.add(c.parameters());
            offsets.add(t.offset());
        }
        for (int s = 0; s < c.optimizerState().length; s++) {
            names.add(utf8(OPTIMIZER_STATE_PREFIX + s, MAX_NAME_BYTES, "tensor name"));
            shapes.add(new int[]{layout.size()});
            data.add(c.optimizerState()[s]);
            offsets.add(0);
        }

        long size = HEADER_BYTES;
        size += 4 + arch.length + 6 * 4;
        size += 4;
        for (int i = 0; i < keys.size(); i++) size += 4 + keys.get(i).length + 4 + values.get(i).length;
        size += 4;
        for (int i = 0; i < names.size(); i++) {
            size += 4 + names.get(i).length + 4 + 4L * shapes.get(i).length;
            size += 4L * elements(shapes.get(i));
        }
        size += CHECKSUM_BYTES;
        if (size > MAX_FILE_BYTES)
            throw new IllegalArgumentException("checkpoint of " + size + " bytes exceeds " + MAX_FILE_BYTES);

        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putLong(size);
        putString(b, arch);
        b.putInt(c.spec().inputHeight()).putInt(c.spec().inputWidth());
        Preprocessing p = c.preprocessing();
        b.putInt(p.imageRows()).putInt(p.imageCols()).putInt(p.pad()).putFloat(p.scale());
        b.putInt(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            putString(b, keys.get(i));
            putString(b, values.get(i));
        }
        b.putInt(names.size());
        for (int i = 0; i < names.size(); i++) {
            putString(b, names.get(i));
            b.putInt(shapes.get(i).length);
            for (int d : shapes.get(i)) b.putInt(d);
        }
        for (int i = 0; i < names.size(); i++) {
            float[] src = data.get(i);
            int from = offsets.get(i);
            long n = elements(shapes.get(i));
            for (int k = 0; k < n; k++) b.putFloat(src[from + k]);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        if (b.hasRemaining()) throw new IllegalStateException("checkpoint size computed wrongly");
        return b.array();
    }

    /**
     * Writes the checkpoint atomically: to "." + name + ".PID.tmp" in the same directory, forced to disk, then
     * renamed over the target. On any failure the previous file at the target is untouched and the temporary
     * file is removed; the error names the target.
     */
    public static void write(Path file, Checkpoint c) {
        byte[] bytes = encode(c);
        try {
            AtomicFiles.write(file, bytes);
        } catch (AtomicMoveNotSupportedException e) {
            throw new UserException("cannot write checkpoint " + file + ": the file system cannot rename "
                    + AtomicFiles.temporaryFileFor(file).getFileName() + " over it atomically");
        } catch (IOException | SecurityException e) {
            throw new UserException("cannot write checkpoint " + file + ": " + AtomicFiles.describe(e));
        }
    }

    /** Where {@link #write} puts the bytes before the rename. */
    static Path temporaryFileFor(Path file) {
        return AtomicFiles.temporaryFileFor(file);
    }

    private static byte[] utf8(String s, int maxBytes, String what) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > maxBytes)
            throw new IllegalArgumentException(what + " is " + b.length + " bytes of UTF-8 (at most " + maxBytes + ")");
        return b;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putInt(s.length).put(s);
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Reads a checkpoint of any architecture. */
    public static Checkpoint read(Path file) {
        return read(file, null);
    }

    /**
     * Reads a checkpoint; when expected is not null the file must hold exactly that network.
     *
     * @throws UserException naming the file and the problem
     */
    public static Checkpoint read(Path file, ModelSpec expected) {
        String source = file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(file))
                throw new UserException(source + " is a directory, not a checkpoint file");
            if (Files.exists(file) && !Files.isRegularFile(file))
                throw new UserException(source + " is not a regular file, not a checkpoint");
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                byte[] head = new byte[HEADER_BYTES];
                int n;
                try (InputStream in = Files.newInputStream(file)) {
                    n = in.readNBytes(head, 0, head.length);
                }
                checkHeader(Arrays.copyOf(head, n), source);  // a clearer message when it is not a checkpoint at all
                throw new UserException(source + " is " + size + " bytes, larger than any lenet5 checkpoint (at most "
                        + MAX_FILE_BYTES + ")");
            }
            try {
                bytes = Files.readAllBytes(file);
            } catch (OutOfMemoryError e) {
                // Only the one array was being allocated, so the heap is whole again and one line can say why.
                throw new UserException(source + " is " + size + " bytes, more than this Java heap can hold to check it"
                        + " (a lenet5 checkpoint is under 1 MB); raise the heap with JAVA_OPTS=-Xmx... if it really is one");
            }
        } catch (NoSuchFileException e) {
            throw new UserException("checkpoint " + source + " does not exist");
        } catch (IOException e) {
            throw new UserException("cannot read checkpoint " + source + ": " + AtomicFiles.describe(e));
        }
        return decode(bytes, source, expected);
    }

    /**
     * Parses a checkpoint held in memory.
     *
     * @param source   the file name for messages
     * @param expected the network the caller needs, or null for any
     */
    public static Checkpoint decode(byte[] bytes, String source, ModelSpec expected) {
        checkHeader(bytes, source);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long stated = b.getLong(12);
        if (stated < HEADER_BYTES + CHECKSUM_BYTES || stated > MAX_FILE_BYTES)
            throw new UserException(source + " is corrupted: its header states an impossible length of " + stated + " bytes");
        if (bytes.length < stated)
            throw new UserException(source + " is truncated: it has " + bytes.length + " of the " + stated
                    + " bytes its header states");
        if (bytes.length > stated)
            throw new UserException(source + " is corrupted: it has " + (bytes.length - stated)
                    + " bytes after the end its header states (" + stated + " bytes)");
        int end = bytes.length - CHECKSUM_BYTES;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, end);
        int storedCrc = b.getInt(end);
        if ((int) crc.getValue() != storedCrc)
            throw new UserException(String.format("%s is corrupted: its CRC32 is %08x but the file records %08x",
                    source, (int) crc.getValue(), storedCrc));
        return new Parser(b, end, source).parse(expected);
    }

    /** Magic, version and enough bytes for the fixed header. */
    private static void checkHeader(byte[] bytes, String source) {
        if (bytes.length == 0) throw new UserException(source + " is empty, not a lenet5 checkpoint");
        int n = Math.min(bytes.length, MAGIC.length);
        if (!Arrays.equals(bytes, 0, n, MAGIC, 0, n))
            throw new UserException(source + " is not a lenet5 checkpoint (it does not start with the checkpoint magic bytes)");
        if (bytes.length < HEADER_BYTES)
            throw new UserException(source + " is truncated: " + bytes.length + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte checkpoint header");
        int version = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        if (version != VERSION)
            throw new UserException(source + " is checkpoint format version " + Integer.toUnsignedString(version)
                    + "; this lenet5 reads version " + VERSION);
    }

    /**
     * Walks the structure after the checksum passed. Every read is checked against the bytes left before the
     * checksum, and every count against its limit, so a hostile file cannot make it allocate or index wrongly.
     */
    private static final class Parser {
        private final ByteBuffer b;
        private final int end;
        private final String source;

        Parser(ByteBuffer b, int end, String source) {
            this.b = b;
            this.end = end;
            this.source = source;
            b.position(HEADER_BYTES);
        }

        private UserException malformed(String what) {
            return new UserException(source + " is malformed: " + what);
        }

        private void need(long n, String what) {
            if (n < 0 || n > end - b.position()) throw malformed(what + " runs past the end of the data");
        }

        private int u32(String what, long max) {
            need(4, what);
            long v = Integer.toUnsignedLong(b.getInt());
            if (v > max) throw malformed(what + " is " + v + " (at most " + max + ")");
            return (int) v;
        }

        private int i32(String what) {
            need(4, what);
            return b.getInt();
        }

        private String string(String what, int maxBytes) {
            int len = u32(what + " length", maxBytes);
            need(len, what);
            byte[] s = new byte[len];
            b.get(s);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(s)).toString();
            } catch (CharacterCodingException e) {
                throw malformed(what + " is not valid UTF-8");
            }
        }

        Checkpoint parse(ModelSpec expected) {
            // model
            String archId = string("architecture", MAX_NAME_BYTES);
            Architecture arch;
            try {
                arch = Architecture.parse(archId);
            } catch (IllegalArgumentException e) {
                throw malformed("unknown architecture '" + printable(archId) + "' (expected flux or classic)");
            }
            int inH = i32("input height"), inW = i32("input width");
            ModelSpec spec;
            try {
                spec = new ModelSpec(arch, inH, inW);
            } catch (IllegalArgumentException e) {
                throw malformed("model input " + inH + "x" + inW + ": " + e.getMessage());
            }
            int rows = i32("image rows"), cols = i32("image cols"), pad = i32("pad");
            need(4, "scale");
            float scale = b.getFloat();
            if (rows < 1 || cols < 1 || pad < 0 || pad > MAX_PAD || !(scale > 0) || Float.isInfinite(scale))
                throw malformed("preprocessing " + rows + "x" + cols + " pad " + pad + " scale " + scale + " is impossible");
            Preprocessing prep = new Preprocessing(rows, cols, pad, scale);
            if ((long) rows + 2L * pad != inH || (long) cols + 2L * pad != inW)
                throw malformed("preprocessing makes " + rows + "x" + cols + " images with pad " + pad
                        + " into " + ((long) rows + 2L * pad) + "x" + ((long) cols + 2L * pad)
                        + " input but the model takes " + inH + "x" + inW);
            if (expected != null && !expected.equals(spec))
                throw new UserException(source + " holds a " + spec + " model, not the " + expected + " model expected here");

            // metadata
            int entries = u32("metadata entry count", MAX_METADATA_ENTRIES);
            TreeMap<String, String> metadata = new TreeMap<>();
            String previous = null;
            for (int i = 0; i < entries; i++) {
                String key = string("metadata key " + i, MAX_NAME_BYTES);
                String value = string("metadata value of '" + printable(key) + "'", MAX_VALUE_BYTES);
                if (previous != null && previous.compareTo(key) >= 0)
                    throw malformed("metadata keys are not unique and sorted ('" + printable(key) + "' after '"
                            + printable(previous) + "')");
                metadata.put(key, value);
                previous = key;
            }

            // tensor table: sizes are checked in long arithmetic against the bytes left before anything is allocated
            long parameterCount = parameterCount(spec);
            if (parameterCount > Integer.MAX_VALUE || 4 * parameterCount > end - b.position())
                throw malformed("a " + spec + " model has " + parameterCount + " parameters, more than the "
                        + (end - b.position()) + " bytes left can hold");
            ParameterLayout layout = new ParameterLayout(spec);
            int tensorCount = u32("tensor count", MAX_TENSORS);
            String[] names = new String[tensorCount];
            int[][] shapes = new int[tensorCount][];
            long dataBytes = 0;
            for (int i = 0; i < tensorCount; i++) {
                names[i] = string("tensor name " + i, MAX_NAME_BYTES);
                int rank = u32("rank of tensor " + printable(names[i]), MAX_RANK);
                if (rank < 1) throw malformed("tensor " + printable(names[i]) + " has rank 0");
                need(4L * rank, "shape of tensor " + printable(names[i]));
                shapes[i] = new int[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    long dim = Integer.toUnsignedLong(b.getInt());
                    if (dim > Integer.MAX_VALUE) throw malformed("tensor " + printable(names[i]) + " has dimension " + dim);
                    shapes[i][d] = (int) dim;
                    elements *= dim;
                    if (elements > Integer.MAX_VALUE)
                        throw malformed("tensor " + printable(names[i]) + " has more than " + Integer.MAX_VALUE + " elements");
                }
                dataBytes += 4 * elements;
            }
            long left = end - b.position();
            if (dataBytes != left)
                throw malformed("the tensor table describes " + dataBytes + " bytes of data but " + left + " bytes follow it");

            // which tensor is which: every parameter once, with its shape; optimizer state numbered 0, 1, ...
            ParamTensor[] param = new ParamTensor[tensorCount];
            int[] stateIndex = new int[tensorCount];
            boolean[] seen = new boolean[layout.tensors().size()];
            int stateBuffers = 0;
            for (int i = 0; i < tensorCount; i++) {
                String name = names[i];
                stateIndex[i] = -1;
                if (name.startsWith(OPTIMIZER_STATE_PREFIX)) {
                    String number = name.substring(OPTIMIZER_STATE_PREFIX.length());
                    if (!number.equals(Integer.toString(stateBuffers)))
                        throw malformed("tensor '" + printable(name) + "' where " + OPTIMIZER_STATE_PREFIX + stateBuffers
                                + " was expected (optimizer state is numbered from 0)");
                    if (stateBuffers == Checkpoint.MAX_OPTIMIZER_STATE)
                        throw malformed("more than " + Checkpoint.MAX_OPTIMIZER_STATE + " optimizer state tensors");
                    int[] want = {layout.size()};
                    if (!Arrays.equals(shapes[i], want))
                        throw new UserException(source + ": tensor " + name + " has shape " + shapeString(shapes[i])
                                + " but a " + spec + " model needs " + shapeString(want));
                    stateIndex[i] = stateBuffers++;
                    continue;
                }
                int k = indexOf(layout, name);
                if (k < 0)
                    throw malformed("unknown tensor '" + printable(name) + "' (a checkpoint holds conv1.weight ... fc3.bias and "
                            + OPTIMIZER_STATE_PREFIX + "N)");
                if (seen[k]) throw malformed("tensor " + name + " appears twice");
                seen[k] = true;
                param[i] = layout.tensors().get(k);
                if (!Arrays.equals(shapes[i], param[i].shape()))
                    throw new UserException(source + ": tensor " + name + " has shape " + shapeString(shapes[i])
                            + " but a " + spec + " model needs " + param[i].shapeString());
            }
            for (int k = 0; k < seen.length; k++)
                if (!seen[k]) throw malformed("tensor " + layout.tensors().get(k).name() + " is missing");

            // data: filled completely here, or an exception and nothing is returned
            float[] parameters = new float[layout.size()];
            float[][] state = new float[stateBuffers][layout.size()];
            for (int i = 0; i < tensorCount; i++) {
                float[] dst = param[i] != null ? parameters : state[stateIndex[i]];
                int from = param[i] != null ? param[i].offset() : 0;
                int n = param[i] != null ? param[i].size() : layout.size();
                for (int j = 0; j < n; j++) {
                    float v = b.getFloat();
                    if (!Float.isFinite(v))
                        throw new UserException(source + ": tensor " + names[i] + " holds " + v + " at element " + j
                                + "; a checkpoint must hold finite values");
                    dst[from + j] = v;
                }
            }
            return new Checkpoint(spec, prep, parameters, state, metadata);
        }
    }

    /** Parameters of the network in long arithmetic (ParameterLayout counts in int and would overflow on huge inputs). */
    static long parameterCount(ModelSpec spec) {
        long k2 = (long) ModelSpec.KERNEL * ModelSpec.KERNEL;
        long flat = spec.flatSize();
        return ModelSpec.C1 * k2 + ModelSpec.C1
                + (long) ModelSpec.C2 * ModelSpec.C1 * k2 + ModelSpec.C2
                + ModelSpec.F1 * flat + ModelSpec.F1
                + (long) ModelSpec.F2 * ModelSpec.F1 + ModelSpec.F2
                + (long) ModelSpec.CLASSES * ModelSpec.F2 + ModelSpec.CLASSES;
    }

    private static int indexOf(ParameterLayout layout, String name) {
        for (int k = 0; k < layout.tensors().size(); k++) if (layout.tensors().get(k).name().equals(name)) return k;
        return -1;
    }

    static String shapeString(int[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    /** A name from the file made safe for a one-line message (no control characters, bounded length). */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 60; i++) {
            char ch = s.charAt(i);
            sb.append(Character.isISOControl(ch) ? '?' : ch);
        }
        if (sb.length() < s.length()) sb.append("...");
        return sb.toString();
    }
}
