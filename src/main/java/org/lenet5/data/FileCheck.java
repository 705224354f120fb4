package org.lenet5.data;

import java.nio.file.Path;

/** The state of one dataset file on disk compared with the SHA-256 table. */
public record FileCheck(String key, Path path, Status status, String expected, String actual) {

    public enum Status { OK, WRONG, MISSING }

    public boolean ok() { return status == Status.OK; }

    /** One line for a person: "mnist/train-images-idx3-ubyte: OK" and so on. */
    public String describe() {
        return switch (status) {
            case OK -> key + ": OK (sha256 " + expected + ")";
            case MISSING -> key + ": missing (" + path + ")";
            case WRONG -> key + ": WRONG, " + path + " has sha256 " + actual + " but the table expects " + expected;
        };
    }
}
