package org.lenet5.backend.cuda;

/**
 * Launches one of our kernels by name. {@link KernelModule} does it on the device; tests record the calls to
 * check them against the kernels' parameter lists in the shipped PTX.
 */
interface KernelLauncher {

    /**
     * @param arguments in the kernel's parameter order: Integer (int), Float (float) or jcuda.Pointer (device pointer)
     * @param context   what the launch works on, for the error message
     */
    void launch(String kernel, LaunchConfig config, Object context, Object... arguments);
}
