package org.lenet5.sweep;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReportDocumentTest {

    @Test
    void markdownTablesEscapePipesAndRightAlignNumberColumns() {
        String md = new ReportDocument("T").table(List.of("name", "acc"),
                List.of(List.of("a|b", "98.90% ± 0.05"), List.of("c", "–"))).markdown();
        assertTrue(md.contains("| name | acc |\n|---|---:|\n| a\\|b | 98.90% ± 0.05 |\n| c | – |\n"), md);
    }

    @Test
    void htmlEscapesTextAndRendersCodeAndBold() throws Exception {
        String html = new ReportDocument("<T>").paragraph("**best** run `lenet5 sweep --lr 1e-3` & <more>")
                .html(Path.of("."));
        assertTrue(html.contains("<title>&lt;T&gt;</title>"), html);
        assertTrue(html.contains("<p><strong>best</strong> run <code>lenet5 sweep --lr 1e-3</code> &amp; &lt;more&gt;</p>"), html);
    }
}
