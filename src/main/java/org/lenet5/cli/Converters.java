package org.lenet5.cli;

import org.lenet5.backend.BackendKind;
import org.lenet5.model.Architecture;
import org.lenet5.sweep.SearchMode;
import org.lenet5.train.LrSchedule;
import org.lenet5.train.OptimizerKind;
import picocli.CommandLine;

import java.util.function.Function;

/** Command-line names (lower case, with dashes) for the enums; picocli would otherwise want the Java names. */
final class Converters {

    private Converters() {}

    private abstract static class ById<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> parse;

        ById(Function<String, T> parse) { this.parse = parse; }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Backend extends ById<BackendKind> { Backend() { super(BackendKind::parse); } }
    static final class Arch extends ById<Architecture> { Arch() { super(Architecture::parse); } }
    static final class Optimizer extends ById<OptimizerKind> { Optimizer() { super(OptimizerKind::parse); } }
    static final class Schedule extends ById<LrSchedule> { Schedule() { super(LrSchedule::parse); } }
    static final class Search extends ById<SearchMode> { Search() { super(SearchMode::parse); } }
}
