package org.lenet5.backend.cuda;

import org.lenet5.data.Dataset;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Datasets on the device as the bytes the IDX files hold, uploaded once per Dataset instance and kept until
 * close (the training and test sets of a run; MNIST's 60,000 images take 47 MB). At most {@link #KEEP} datasets are
 * kept; the least recently used one beyond that is freed.
 */
final class DeviceDatasets implements AutoCloseable {

    static final int KEEP = 3;

    /** pixels (count, rows, cols) bytes, labels (count) bytes. */
    record OnDevice(DeviceBuffer pixels, DeviceBuffer labels) implements AutoCloseable {
        @Override public void close() {
            try {
                pixels.close();
            } finally {
                labels.close();
            }
        }
    }

    /** Datasets are keyed by identity: two equal copies are two uploads, a reused instance is one. */
    private record Key(Dataset dataset) {
        @Override public boolean equals(Object o) { return o instanceof Key k && k.dataset == dataset; }

        @Override public int hashCode() { return System.identityHashCode(dataset); }
    }

    private final Map<Key, OnDevice> cache = new LinkedHashMap<>(8, 0.75f, true);

    OnDevice get(Dataset d) {
        Key key = new Key(d);
        OnDevice on = cache.get(key);
        if (on != null) return on;
        evictBeyond(KEEP - 1);
        String shape = "(" + d.count() + ", " + d.rows() + ", " + d.cols() + ")";
        DeviceBuffer pixels = DeviceBuffer.allocate(d.name() + " pixels", shape, DeviceBuffer.Type.BYTE, (long) d.count() * d.imageSize());
        DeviceBuffer labels;
        try {
            pixels.upload(d.pixels());
            labels = DeviceBuffer.allocate(d.name() + " labels", "(" + d.count() + ")", DeviceBuffer.Type.BYTE, d.count());
        } catch (RuntimeException e) {
            pixels.close();
            throw e;
        }
        try {
            labels.upload(d.labels());
        } catch (RuntimeException e) {
            pixels.close();
            labels.close();
            throw e;
        }
        on = new OnDevice(pixels, labels);
        cache.put(key, on);
        return on;
    }

    int size() { return cache.size(); }

    private void evictBeyond(int keep) {
        Iterator<OnDevice> it = cache.values().iterator();
        while (cache.size() > keep && it.hasNext()) {
            OnDevice eldest = it.next();
            it.remove();
            eldest.close();
        }
    }

    @Override
    public void close() { evictBeyond(0); }
}
