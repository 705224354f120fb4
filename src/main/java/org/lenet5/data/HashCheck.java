package org.lenet5.data;

/**
 * Whether the loader checks the files on disk against the SHA-256 table. VERIFY is the default; SKIP is for
 * custom data in IDX form put under a dataset's directory (e.g. a relabelled or extended MNIST), which the
 * table cannot know. Fetched files are verified either way.
 */
public enum HashCheck { VERIFY, SKIP }
