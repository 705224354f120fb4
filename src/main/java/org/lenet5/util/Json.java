package org.lenet5.util;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** JSON reading and writing through Gson, with the same formatting everywhere. */
public final class Json {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    private Json() {}

    public static String toJson(Object value) { return GSON.toJson(value) + "\n"; }

    public static void write(Path file, Map<String, ?> value) throws IOException {
        AtomicFiles.writeString(file, toJson(value));
    }

    public static JsonElement read(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file));
        } catch (com.google.gson.JsonParseException e) {
            throw new UserException(file + ": not valid JSON (" + parseProblem(e) + ")");
        }
    }

    /** Gson's reason in one line: without the wrapped exception's class name and the troubleshooting link after it. */
    static String parseProblem(com.google.gson.JsonParseException e) {
        Throwable t = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).trim();
    }
}
