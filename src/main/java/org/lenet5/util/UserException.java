package org.lenet5.util;

/**
 * An error the user can act on, printed as one line ("error: ...") without a stack trace
 * (unless --debug). The message names the file or value and the problem.
 */
public class UserException extends RuntimeException {

    public UserException(String message) { super(message); }

    public UserException(String message, Throwable cause) { super(message, cause); }
}
