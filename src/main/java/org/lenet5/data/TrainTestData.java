package org.lenet5.data;

/** The training and test sets of one dataset, images of the same size. */
public record TrainTestData(Dataset train, Dataset test) {}
