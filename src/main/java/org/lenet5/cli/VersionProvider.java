package org.lenet5.cli;

import org.lenet5.util.Version;
import picocli.CommandLine;

/** lenet5 --version. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[]{"lenet5 " + Version.get(), "Java " + System.getProperty("java.version")};
    }
}
