package org.lenet5.data;

/** A data source that cannot be used at all; the message is one line saying why. */
final class SourceUnavailableException extends Exception {

    SourceUnavailableException(String message) { super(message); }
}
