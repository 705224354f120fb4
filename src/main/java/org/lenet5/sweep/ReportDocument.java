package org.lenet5.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A report as a list of blocks, rendered twice: Markdown (report.md, images linked) and HTML (report.html,
 * self-contained: images embedded as base64 data URIs, styles inline). Text may mark `code` and **bold** as in Markdown.
 */
public final class ReportDocument {

    sealed interface Block permits Heading, Paragraph, Table, Image {}

    record Heading(int level, String text) implements Block {}

    record Paragraph(String text) implements Block {}

    /** @param rightAligned per column: numbers are right-aligned */
    record Table(List<String> header, List<List<String>> rows, List<Boolean> rightAligned) implements Block {}

    /** @param file relative to the report's directory */
    record Image(String file, String title, String caption) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public ReportDocument(String title) { this.title = title; }

    public ReportDocument heading(String text) { blocks.add(new Heading(2, text)); return this; }

    public ReportDocument subheading(String text) { blocks.add(new Heading(3, text)); return this; }

    public ReportDocument paragraph(String text) { blocks.add(new Paragraph(text)); return this; }

    public ReportDocument table(List<String> header, List<List<String>> rows) {
        List<Boolean> right = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            final int col = c;
            right.add(!rows.isEmpty() && rows.stream().allMatch(r -> looksNumeric(r.get(col))));
        }
        blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList(), right));
        return this;
    }

    public ReportDocument image(String file, String title, String caption) {
        blocks.add(new Image(file, title, caption));
        return this;
    }

    static boolean looksNumeric(String s) {
        return s.matches("[-+]?[0-9][0-9.,]*(e-?[0-9]+)?( ?%| s| pp)?|-|–|[0-9.]+%? ?± ?[0-9.]+( ?%| pp)?");
    }

    public String markdown() {
        StringBuilder s = new StringBuilder("# ").append(title).append("\n");
        for (Block b : blocks) {
            s.append('\n');
            if (b instanceof Heading h) {
                s.append("#".repeat(h.level())).append(' ').append(h.text()).append('\n');
            } else if (b instanceof Paragraph p) {
                s.append(p.text()).append('\n');
            } else if (b instanceof Table t) {
                s.append(mdRow(t.header()));
                StringBuilder rule = new StringBuilder("|");
                for (boolean r : t.rightAligned()) rule.append(r ? "---:|" : "---|");
                s.append(rule).append('\n');
                for (List<String> row : t.rows()) s.append(mdRow(row));
            } else if (b instanceof Image i) {
                s.append("![").append(i.title()).append("](").append(i.file()).append(")\n\n*")
                        .append(i.caption()).append("*\n");
            }
        }
        return s.toString();
    }

    private static String mdRow(List<String> cells) {
        StringBuilder s = new StringBuilder("|");
        for (String c : cells) s.append(' ').append(c.replace("|", "\\|")).append(" |");
        return s.append('\n').toString();
    }

    /** @param baseDir where the images' relative paths start */
    public String html(Path baseDir) throws IOException {
        StringBuilder s = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>""").append(escape(title)).append("""
                </title>
                <style>
                body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
                table { border-collapse: collapse; margin: 0.5em 0 1.2em; }
                th, td { border: 1px solid #ccc; padding: 3px 8px; }
                th { background: #f3f3f3; }
                td.num { text-align: right; font-variant-numeric: tabular-nums; }
                img { max-width: 100%; border: 1px solid #ddd; }
                figcaption { color: #555; font-size: 0.92em; margin-bottom: 1.5em; }
                code { background: #f3f3f3; padding: 0 3px; }
                </style>
                </head>
                <body>
                """);
        s.append("<h1>").append(inline(title)).append("</h1>\n");
        for (Block b : blocks) {
            if (b instanceof Heading h) {
                s.append("<h").append(h.level()).append('>').append(inline(h.text())).append("</h").append(h.level()).append(">\n");
            } else if (b instanceof Paragraph p) {
                s.append("<p>").append(inline(p.text())).append("</p>\n");
            } else if (b instanceof Table t) {
                s.append("<table>\n<tr>");
                for (String c : t.header()) s.append("<th>").append(inline(c)).append("</th>");
                s.append("</tr>\n");
                for (List<String> row : t.rows()) {
                    s.append("<tr>");
                    for (int c = 0; c < row.size(); c++)
                        s.append(t.rightAligned().get(c) ? "<td class=\"num\">" : "<td>").append(inline(row.get(c))).append("</td>");
                    s.append("</tr>\n");
                }
                s.append("</table>\n");
            } else if (b instanceof Image i) {
                byte[] png = Files.readAllBytes(baseDir.resolve(i.file()));
                s.append("<figure>\n<img alt=\"").append(escape(i.title())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png)).append("\">\n<figcaption>")
                        .append(inline(i.caption())).append("</figcaption>\n</figure>\n");
            }
        }
        return s.append("</body>\n</html>\n").toString();
    }

    /** Escapes HTML and turns `code` into &lt;code&gt; and **bold** into &lt;strong&gt;. */
    static String inline(String text) {
        String[] parts = escape(text).split("`", -1);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 1 && i < parts.length - 1) s.append("<code>").append(parts[i]).append("</code>");
            else s.append(i > 0 && i % 2 == 1 ? "`" : "").append(parts[i].replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>"));
        }
        return s.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
