package org.lenet5.backend.cuda;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * All our kernel units, loaded by the first {@link KernelPath} of the plan that works for every unit
 * (so the three units never come from different compilers).
 */
final class KernelSet implements AutoCloseable {

    final KernelPath path;
    private final Map<KernelSources.Unit, KernelModule> modules;

    private KernelSet(KernelPath path, Map<KernelSources.Unit, KernelModule> modules) {
        this.path = path;
        this.modules = modules;
    }

    static KernelSet load(KernelPath.Plan plan, GpuInfo gpu) {
        List<String> failures = new ArrayList<>(plan.excluded());
        for (KernelPath path : plan.order()) {
            Map<KernelSources.Unit, KernelModule> loaded = new EnumMap<>(KernelSources.Unit.class);
            try {
                for (KernelSources.Unit unit : KernelSources.Unit.values()) loaded.put(unit, KernelModule.load(unit, path, gpu));
                return new KernelSet(path, loaded);
            } catch (CudaFailure e) {
                loaded.values().forEach(KernelModule::close);
                if (e.outOfMemory()) throw e;
                failures.add(path.description() + ": " + e.getMessage());
            }
        }
        throw new CudaUnavailableException("our CUDA kernels could not be loaded: " + String.join("; ", failures));
    }

    KernelModule module(KernelSources.Unit unit) { return modules.get(unit); }

    @Override
    public void close() {
        RuntimeException first = null;
        for (KernelModule m : modules.values()) {
            try {
                m.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
