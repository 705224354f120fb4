package org.lenet5.checkpoint;

import org.lenet5.model.Architecture;
import org.lenet5.model.ParameterLayout;
import org.lenet5.testing.FuzzVolumeSummary;
import org.lenet5.util.SeededRandom;
import org.lenet5.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random damage to valid checkpoints: every case must end in either a correct read or one UserException line
 * naming the file; never an OutOfMemoryError, an index exception, another exception, a hang or a partly filled
 * result. Seeded, so a failing case number reproduces.
 */
class CheckpointFuzzTest {

    private static final long SEED = 0x5EED_C4EC_4B01L;

    enum Mutation {
        /** the file cut at a random length: must always be refused */
        TRUNCATE,
        /** 1 to 8 random bytes XORed, checksum left alone: must be refused (or, astronomically rarely, read identically) */
        FLIP,
        /** a byte or a 32-bit value in the header, tables or first data bytes overwritten, length and CRC repaired */
        EDIT_FIELD,
        /** bytes deleted from or inserted into the header and tables, length (usually) and CRC repaired */
        SHIFT,
        /** the valid magic and version followed by random bytes, with a valid length and CRC */
        GARBAGE
    }

    private record Outcome(int identical, int otherValid, int refused) {}

    @TempDir Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a guard against hangs, not a performance measure
    void damagedCheckpointsEitherReadCorrectlyOrFailWithOneUserError(TestReporter reporter) throws IOException {
        Checkpoint[] bases = {
                CheckpointFileTest.sample(Architecture.FLUX, 2, 1),
                CheckpointFileTest.sample(Architecture.CLASSIC, 0, 2),
        };
        Map<Mutation, int[]> counts = new EnumMap<>(Mutation.class);   // identical, other valid, refused
        for (Mutation m : Mutation.values()) counts.put(m, new int[3]);
        SeededRandom rng = new SeededRandom(SEED);
        int caseNo = 0;
        for (Checkpoint base : bases) {
            byte[] valid = CheckpointFile.encode(base);
            int dataStart = RawCheckpoint.of(base).dataStart();
            for (Mutation m : Mutation.values()) {
                int n = switch (m) {
                    case TRUNCATE -> 600;
                    case FLIP -> 800;
                    case EDIT_FIELD -> 1500;
                    case SHIFT -> 800;
                    case GARBAGE -> 300;
                };
                for (int i = 0; i < n; i++, caseNo++) {
                    byte[] damaged = mutate(m, valid, dataStart, rng);
                    String source = "case-" + caseNo + ".lenet5";
                    boolean viaFile = i % 20 == 0;   // some go through the file reader too
                    int result = runCase(base, damaged, source, viaFile, m, caseNo);
                    counts.get(m)[result]++;
                }
            }
        }
        System.out.printf("checkpoint fuzz: %d cases (seed %#x) on flux+Adam (%d bytes) and classic (%d bytes)%n",
                caseNo, SEED, CheckpointFile.encode(bases[0]).length, CheckpointFile.encode(bases[1]).length);
        System.out.printf("  %-10s %8s %10s %10s %8s%n", "mutation", "cases", "identical", "valid", "refused");
        for (Mutation m : Mutation.values()) {
            int[] c = counts.get(m);
            System.out.printf("  %-10s %8d %10d %10d %8d%n", m.name().toLowerCase(), c[0] + c[1] + c[2], c[0], c[1], c[2]);
        }
        reporter.publishEntry(FuzzVolumeSummary.entry("checkpoint reader", caseNo));
        assertTrue(caseNo >= 5000, "fuzz volume");
        assertEquals(0, counts.get(Mutation.TRUNCATE)[0] + counts.get(Mutation.TRUNCATE)[1], "every truncation is refused");
        assertEquals(0, counts.get(Mutation.FLIP)[1], "an unrepaired flip never reads as different content");
        assertTrue(counts.get(Mutation.EDIT_FIELD)[2] > 0 && counts.get(Mutation.SHIFT)[2] > 0);
    }

    /** @return 0 read identically, 1 read as other valid content, 2 refused with a UserException */
    private int runCase(Checkpoint base, byte[] damaged, String source, boolean viaFile, Mutation m, int caseNo)
            throws IOException {
        Checkpoint got;
        String where = "case " + caseNo + " (" + m + ", " + damaged.length + " bytes, seed " + SEED + ")";
        try {
            if (viaFile) {
                Path f = dir.resolve(source);
                Files.write(f, damaged);
                try {
                    got = CheckpointFile.read(f);
                } finally {
                    Files.delete(f);
                }
            } else {
                got = CheckpointFile.decode(damaged, source, null);
            }
        } catch (UserException e) {
            String msg = e.getMessage();
            assertNotNull(msg, where);
            assertFalse(msg.contains("\n") || msg.contains("\r"), where + ": one line: " + msg);
            assertTrue(msg.contains(source), where + ": names the file: " + msg);
            assertTrue(msg.length() < 400, where + ": short: " + msg);
            return 2;
        } catch (Throwable t) {
            fail(where + " threw " + t, t);
            return -1;
        }
        // A successful read is whole: every parameter and state value present, finite, of the layout's length.
        ParameterLayout layout = got.layout();
        assertEquals(layout.size(), got.parameters().length, where);
        for (float v : got.parameters()) assertTrue(Float.isFinite(v), where);
        for (float[] s : got.optimizerState()) {
            assertEquals(layout.size(), s.length, where);
            for (float v : s) assertTrue(Float.isFinite(v), where);
        }
        return sameContent(base, got) ? 0 : 1;
    }

    private static boolean sameContent(Checkpoint a, Checkpoint b) {
        if (!a.spec().equals(b.spec()) || !a.preprocessing().equals(b.preprocessing())) return false;
        if (!a.metadata().equals(b.metadata()) || a.optimizerState().length != b.optimizerState().length) return false;
        if (!Arrays.equals(a.parameters(), b.parameters())) return false;
        for (int s = 0; s < a.optimizerState().length; s++)
            if (!Arrays.equals(a.optimizerState()[s], b.optimizerState()[s])) return false;
        return true;
    }

    private static final int[] INTERESTING = {0, 1, -1, 2, 3, 4, 5, 28, 32, 255, 256, 65535, 65536,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 3, 1 << 20, (1 << 20) + 1, 44_426};

    static byte[] mutate(Mutation m, byte[] valid, int dataStart, SeededRandom rng) {
        switch (m) {
            case TRUNCATE -> {
                // Half anywhere, half near the end, where a cut only loses data or the checksum.
                int len = rng.nextInt(2) == 0 ? rng.nextInt(valid.length)
                        : valid.length - 1 - rng.nextInt(Math.min(valid.length, 64));
                return Arrays.copyOf(valid, len);
            }
            case FLIP -> {
                byte[] d = valid.clone();
                int flips = 1 + rng.nextInt(8);
                for (int k = 0; k < flips; k++) d[rng.nextInt(d.length)] ^= (byte) (1 + rng.nextInt(255));
                return d;
            }
            case EDIT_FIELD -> {
                byte[] d = valid.clone();
                int p = rng.nextInt(dataStart + 16);
                if (rng.nextInt(2) == 0) {
                    d[p] = (byte) rng.nextInt(256);
                } else {
                    int v = rng.nextInt(3) == 0 ? (int) rng.nextLong()
                            : INTERESTING[rng.nextInt(INTERESTING.length)] + (rng.nextInt(3) - 1);
                    p = Math.min(p, d.length - 8);
                    ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putInt(p, v);
                }
                return repair(d, p >= 12 && p < 20 ? -1 : d.length);
            }
            case SHIFT -> {
                int p = 20 + rng.nextInt(dataStart - 20 + 8);
                int k = 1 + rng.nextInt(16);
                byte[] d;
                if (rng.nextInt(2) == 0) {
                    d = new byte[valid.length - k];
                    System.arraycopy(valid, 0, d, 0, p);
                    System.arraycopy(valid, p + k, d, p, valid.length - p - k);
                } else {
                    d = new byte[valid.length + k];
                    System.arraycopy(valid, 0, d, 0, p);
                    for (int j = 0; j < k; j++) d[p + j] = (byte) rng.nextInt(256);
                    System.arraycopy(valid, p, d, p + k, valid.length - p);
                }
                // Usually the length is made to match, so the structure checks are what catches it.
                return repair(d, rng.nextInt(4) == 0 ? -1 : d.length);
            }
            case GARBAGE -> {
                byte[] d = new byte[24 + rng.nextInt(4096)];
                for (int j = 20; j < d.length - 4; j++) d[j] = (byte) rng.nextInt(rng.nextInt(2) == 0 ? 256 : 8);
                System.arraycopy(valid, 0, d, 0, 12);
                return repair(d, d.length);
            }
        }
        throw new AssertionError(m);
    }

    /** Sets the length field (unless newLength is -1) and the CRC, so the damage reaches the structure checks. */
    private static byte[] repair(byte[] d, long newLength) {
        if (newLength >= 0 && d.length >= 20) ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putLong(12, newLength);
        return d.length >= 24 ? RawCheckpoint.withChecksum(d) : d;
    }
}
