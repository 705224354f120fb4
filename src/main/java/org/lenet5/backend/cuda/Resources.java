package org.lenet5.backend.cuda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Native resources in the order they were made; close() frees them in reverse order, all of them even if one
 * fails. Used so that a constructor that fails halfway (out of memory at the fifth buffer) frees the first four.
 */
final class Resources implements AutoCloseable {

    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    <T extends AutoCloseable> T add(T resource) {
        stack.push(resource);
        return resource;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!stack.isEmpty()) {
            try {
                stack.pop().close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
