#!/bin/sh
# Prepares target/gpu-check/ for docker/gpu-check.sh on a GPU machine that has no Java:
#   jre/                     a jlink'd Java 17 runtime (only the modules lenet5 and JUnit use; ~40 MB)
#   lenet5.jar               the shaded jar (target/lenet5.jar, JCuda natives inside)
#   test-classes/            the compiled tests (the GPU tests are tagged "gpu")
#   junit-console.jar        JUnit's standalone console launcher, to run them without Maven
# Run from the repository root on a build machine (JDK 17 with jmods, Maven): sh docker/gpu-check-prepare.sh
# Then carry target/gpu-check to the GPU machine (the device tool: carry ["target/gpu-check"]) and run
# sh docker/gpu-check.sh there.
set -eu
cd "$(dirname "$0")/.."
out=target/gpu-check
junit_platform=${JUNIT_PLATFORM_VERSION:-1.14.1}   # the platform of junit.version 5.14.1 in pom.xml

mvn -q -B -DskipTests package test-compile
rm -rf "$out"
mkdir -p "$out"
cp target/lenet5.jar "$out/lenet5.jar"
# Not used by lenet5 (only JCuda's PTX-compiler binding, 24 MB) and the carry to the GPU machine is limited.
zip -q -d "$out/lenet5.jar" 'lib/libJNvPTXCompiler-*' 'org/jline/nativ/Windows/*' 'org/jline/nativ/Mac/*'
cp -r target/test-classes "$out/test-classes"
mvn -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$out" -Dmdep.stripVersion=true
mv "$out/junit-platform-console-standalone.jar" "$out/junit-console.jar"

# java.management/jdk.management: lenet5 info (memory); java.logging, java.xml: JUnit and its XML reports;
# jdk.unsupported: Gson; jdk.incubator.vector: the cpu backend (auto's fallback). No java.desktop: no charts here.
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
jlink --module-path "$java_home/jmods" \
    --add-modules java.base,java.logging,java.xml,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --strip-native-debug-symbols objcopy=/usr/bin/objcopy --no-header-files --no-man-pages --compress=2 --output "$out/jre"
du -sh "$out" "$out"/*
