package org.lenet5.checkpoint;

import org.junit.jupiter.api.Test;
import org.lenet5.cli.Main;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints (and every other file lenet5 reads) are data, never code: no Java deserialization anywhere in the
 * product. Scans every compiled main class for references to the serialization streams (in the constant pool, where
 * every class a class uses is named) and for a declared Serializable or Externalizable, and every main source file
 * for their names. (Serializable itself may appear in a constant pool without any serialization: javac names it
 * in stack-map frames as the common type of a String and a Class, so for it the declared interfaces are checked.)
 */
class NoJavaSerializationTest {

    /** Classes through which bytes become objects or objects become bytes (java.beans.XMLDecoder runs code too). */
    static final List<String> FORBIDDEN_CLASSES = List.of("java/io/ObjectInputStream", "java/io/ObjectOutputStream",
            "java/lang/invoke/SerializedLambda", "java/beans/XMLDecoder");
    static final Pattern FORBIDDEN_NAMES = Pattern.compile(
            "\\b(ObjectInputStream|ObjectOutputStream|Serializable|Externalizable|SerializedLambda|XMLDecoder|readObject|writeObject)\\b");

    @Test
    void noMainClassOrSourceUsesJavaSerialization() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        int classFiles = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                classFiles++;
                for (String name : forbiddenReferences(Files.readAllBytes(f))) found.add(classes.relativize(f) + " uses " + name);
                String className = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(className, false, getClass().getClassLoader());
                for (Class<?> i : declaredSerialization(c)) found.add(className + " implements " + i.getName());
            }
        }
        Path sources = Path.of("src/main/java");
        int sourceFiles = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                sourceFiles++;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = FORBIDDEN_NAMES.matcher(lines.get(i));
                    if (m.find()) found.add(f + ":" + (i + 1) + " names " + m.group(1));
                }
            }
        }
        System.out.printf("serialization scan: %d main classes in %s, %d main sources: %d findings%n",
                classFiles, classes, sourceFiles, found.size());
        assertTrue(classFiles > 50 && sourceFiles > 50, "the scan saw the product (" + classFiles + " classes, "
                + sourceFiles + " sources)");
        assertEquals(List.of(), found, "Java serialization in the product");
    }

    @Test
    void theScanFindsSerializationWhereItIsUsed() throws IOException {
        // java.util.HashMap implements Serializable and has readObject(ObjectInputStream): the scan must see it.
        byte[] hashMap;
        try (InputStream in = HashMap.class.getResourceAsStream("HashMap.class")) {
            hashMap = in.readAllBytes();
        }
        assertEquals(List.of("java/io/ObjectInputStream", "java/io/ObjectOutputStream"), forbiddenReferences(hashMap));
        assertEquals(List.of(java.io.Serializable.class), declaredSerialization(HashMap.class));
        assertEquals(List.of(), declaredSerialization(org.lenet5.util.UserException.class),
                "inherited from Throwable, not declared: exceptions are never serialized here");
        assertTrue(FORBIDDEN_NAMES.matcher("class Model implements java.io.Serializable {").find());
        assertFalse(FORBIDDEN_NAMES.matcher("// never Java serialization: a checkpoint is data").find());
    }

    /** Serializable or Externalizable among the interfaces the class itself declares. */
    static List<Class<?>> declaredSerialization(Class<?> c) {
        List<Class<?>> hits = new ArrayList<>();
        for (Class<?> i : c.getInterfaces())
            if (i == java.io.Serializable.class || i == java.io.Externalizable.class) hits.add(i);
        return hits;
    }

    /** The forbidden classes named in a class file's constant pool (class names are stored there as plain ASCII). */
    static List<String> forbiddenReferences(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        List<String> hits = new ArrayList<>();
        for (String name : FORBIDDEN_CLASSES) if (text.contains(name)) hits.add(name);
        return hits;
    }
}
