package org.lenet5.sweep;

/** The settings a sweep varies. */
public enum Hyperparameter {
    BATCH_SIZE("batch size", "batch", "--batch-size"),
    LR("learning rate", "lr", "--lr"),
    L2("L2", "l2", "--l2"),
    OPTIMIZER("optimizer", "", "--optimizer");

    private final String title, shortName, option;

    Hyperparameter(String title, String shortName, String option) {
        this.title = title;
        this.shortName = shortName;
        this.option = option;
    }

    /** For headings: "learning rate". */
    public String title() { return title; }

    /** For labels: "lr" (empty for the optimizer, whose value names itself). */
    public String shortName() { return shortName; }

    /** The command-line option. */
    public String option() { return option; }
}
