package org.lenet5.data;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Sha256TableTest {

    @Test
    void packagedTableIsByteForByteTheRepositorysDataSha256sums() throws Exception {
        byte[] inRepo = Files.readAllBytes(Path.of("data", "SHA256SUMS")); // Maven runs tests in the repository root
        try (InputStream in = Sha256Table.class.getResourceAsStream(Sha256Table.RESOURCE)) {
            assertNotNull(in, Sha256Table.RESOURCE + " is packaged");
            assertArrayEquals(inRepo, in.readAllBytes());
        }
    }

    @Test
    void tableHoldsTheFourFilesOfEachDatasetWithThePublishedMnistHashes() {
        Sha256Table t = Sha256Table.packaged();
        assertEquals(8, t.entries().size());
        for (DatasetKind k : DatasetKind.values())
            for (String f : k.fileNames()) assertEquals(64, t.expected(k, f).length(), k + "/" + f);
        assertEquals("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                t.expected(DatasetKind.MNIST, DatasetKind.TRAIN_IMAGES));
        assertEquals("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                t.expected(DatasetKind.MNIST, DatasetKind.TRAIN_LABELS));
        assertEquals("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                t.expected(DatasetKind.MNIST, DatasetKind.TEST_IMAGES));
        assertEquals("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                t.expected(DatasetKind.MNIST, DatasetKind.TEST_LABELS));
    }

    @Test
    void parseAcceptsSha256sumTextAndBinaryModeAndRejectsOtherLines() {
        String h = "a".repeat(64);
        Sha256Table t = Sha256Table.parse(h + "  mnist/x\n" + h.replace('a', 'b') + " *mnist/y\n\n", "test");
        assertEquals(h, t.entries().get("mnist/x"));
        assertEquals("b".repeat(64), t.entries().get("mnist/y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sha256Table.parse(h + "  mnist/x\nnot a hash line\n", "SUMS"));
        assertEquals("SUMS line 2 is not '<sha256>  <file>': not a hash line", e.getMessage());
    }

    @Test
    void defaultDataDirIsTheEnvironmentVariableElseDotData() {
        assertEquals(Path.of("/srv/digits"), DataPaths.defaultDataDir(java.util.Map.of("LENET5_DATA_DIR", "/srv/digits")));
        assertEquals(Path.of("data"), DataPaths.defaultDataDir(java.util.Map.of()));
        assertEquals(Path.of("data"), DataPaths.defaultDataDir(java.util.Map.of("LENET5_DATA_DIR", " ")));
    }
}
