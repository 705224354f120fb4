package org.lenet5.checkpoint;

import org.lenet5.model.ParamTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A second, independent writer of the documented checkpoint layout, field by field, for tests: it can build
 * files the real writer never would (wrong shapes, missing or unknown tensors, odd headers) with a valid length
 * and checksum, so the reader's structural checks are reached.
 */
final class RawCheckpoint {

    record Tensor(String name, int[] shape, float[] data) {}

    byte[] magic = CheckpointFile.MAGIC.clone();
    int version = CheckpointFile.VERSION;
    String arch;
    int inputHeight, inputWidth, imageRows, imageCols, pad;
    float scale;
    final List<String[]> metadata = new ArrayList<>();
    final List<Tensor> tensors = new ArrayList<>();

    /** The same content as the real writer would write for c. */
    static RawCheckpoint of(Checkpoint c) {
        RawCheckpoint r = new RawCheckpoint();
        r.arch = c.spec().arch().id();
        r.inputHeight = c.spec().inputHeight();
        r.inputWidth = c.spec().inputWidth();
        r.imageRows = c.preprocessing().imageRows();
        r.imageCols = c.preprocessing().imageCols();
        r.pad = c.preprocessing().pad();
        r.scale = c.preprocessing().scale();
        for (Map.Entry<String, String> e : c.metadata().entrySet()) r.metadata.add(new String[]{e.getKey(), e.getValue()});
        for (ParamTensor t : c.layout().tensors()) {
            float[] d = new float[t.size()];
            System.arraycopy(c.parameters(), t.offset(), d, 0, t.size());
            r.tensors.add(new Tensor(t.name(), t.shape(), d));
        }
        for (int s = 0; s < c.optimizerState().length; s++)
            r.tensors.add(new Tensor("optimizer.state." + s, new int[]{c.parameters().length}, c.optimizerState()[s].clone()));
        return r;
    }

    Tensor tensor(String name) {
        for (Tensor t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException(name);
    }

    void replace(String name, Tensor t) {
        for (int i = 0; i < tensors.size(); i++) if (tensors.get(i).name().equals(name)) { tensors.set(i, t); return; }
        throw new IllegalArgumentException(name);
    }

    /** Offset of the first tensor data byte in bytes(). */
    int dataStart() {
        int floats = 0;
        for (Tensor t : tensors) floats += t.data().length;
        return bytes().length - 4 - 4 * floats;
    }

    byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic).putInt(version).putLong(0);   // length patched below
        str(b, arch);
        b.putInt(inputHeight).putInt(inputWidth).putInt(imageRows).putInt(imageCols).putInt(pad).putFloat(scale);
        b.putInt(metadata.size());
        for (String[] kv : metadata) { str(b, kv[0]); str(b, kv[1]); }
        b.putInt(tensors.size());
        for (Tensor t : tensors) {
            str(b, t.name());
            b.putInt(t.shape().length);
            for (int d : t.shape()) b.putInt(d);
        }
        for (Tensor t : tensors) for (float v : t.data()) b.putFloat(v);
        int length = b.position() + 4;
        b.putLong(12, length);
        return withChecksum(java.util.Arrays.copyOf(b.array(), length));
    }

    /** Recomputes the trailing CRC32 in place (the last 4 bytes) and returns the array. */
    static byte[] withChecksum(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    private static void str(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(u.length).put(u);
    }
}
