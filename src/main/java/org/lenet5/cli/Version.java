package org.lenet5.cli;

import picocli.CommandLine;

/** The version from the jar manifest (Maven project version), or "dev" when run from classes. */
public final class Version implements CommandLine.IVersionProvider {

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"lenet5 " + get(), "Java " + System.getProperty("java.version")};
    }
}
