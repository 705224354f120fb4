package org.lenet5.cli;

import org.lenet5.data.DatasetKind;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Iterator;

/** --dataset mnist|fashion-mnist for picocli (enum names have underscores; the command line uses the ids). */
public final class DatasetKindConverter implements CommandLine.ITypeConverter<DatasetKind> {

    @Override
    public DatasetKind convert(String value) {
        try {
            return DatasetKind.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** The ids, for ${COMPLETION-CANDIDATES} in help texts. */
    public static final class Ids implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(DatasetKind.values()).map(DatasetKind::id).iterator();
        }
    }
}
