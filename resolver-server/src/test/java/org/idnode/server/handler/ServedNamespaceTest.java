package org.idnode.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.idnode.registry.model.HandleName;
import org.junit.jupiter.api.Test;

class ServedNamespaceTest {
    private final ServedNamespace ns = new ServedNamespace(List.of("88.999", "86.Abc"));

    private boolean serves(String handle) {
        return ns.serves(HandleName.parse(handle));
    }

    @Test
    void servesConfiguredAndDerivedPrefixesOnly() {
        assertThat(serves("88.999/x")).isTrue();
        assertThat(serves("88.999.1/x")).isTrue();
        assertThat(serves("88.999.1.7/x/y")).isTrue();
        assertThat(serves("88.9991/x")).isFalse();
        assertThat(serves("88.99/x")).isFalse();
        assertThat(serves("88.998.1/x")).isFalse();
        assertThat(serves("99.999/88.999")).isFalse();
    }

    @Test
    void prefixHandlesAreJudgedByTheNamedPrefix() {
        assertThat(serves("0.NA/88.999")).isTrue();
        assertThat(serves("0.na/88.999.2")).isTrue();
        assertThat(serves("0.NA/88.9990")).isFalse();
        assertThat(serves("0.NA/0.NA")).isFalse();
    }

    @Test
    void comparisonIsAsciiCaseInsensitive() {
        assertThat(serves("86.abc.1/x")).isTrue();
        assertThat(serves("86.ABC/x")).isTrue();
        assertThat(serves("0.NA/86.aBc.3")).isTrue();
    }

    @Test
    void configuredMeansExactlyAConfiguredPrefix() {
        assertThat(ns.isConfigured("88.999")).isTrue();
        assertThat(ns.isConfigured("86.abc")).isTrue();
        assertThat(ns.isConfigured("88.999.1")).isFalse();
    }

    @Test
    void homedPrefixesAreServedExactlyAndCanBeWithdrawn() {
        ServedNamespace homed = new ServedNamespace(List.of("88.999.1"));
        assertThat(homed.serves(HandleName.parse("88.999.2/x"))).isFalse();
        homed.setHomed(java.util.Set.of("88.999.2", "86.Xyz"));
        assertThat(homed.serves(HandleName.parse("88.999.2/x"))).isTrue();
        assertThat(homed.serves(HandleName.parse("0.NA/88.999.2"))).isTrue();
        assertThat(homed.serves(HandleName.parse("86.XYZ/x"))).isTrue();
        assertThat(homed.serves(HandleName.parse("88.999.2.5/x"))).as("not its derived prefixes").isFalse();
        assertThat(homed.serves(HandleName.parse("88.999.20/x"))).isFalse();
        assertThat(homed.isConfigured("88.999.2")).isTrue();
        assertThat(homed.isServedByConfiguration("88.999.2")).isFalse();
        assertThat(homed.isServedByConfiguration("88.999.1.3")).isTrue();
        homed.setHomed(java.util.Set.of());
        assertThat(homed.serves(HandleName.parse("88.999.2/x"))).isFalse();
        assertThat(homed.serves(HandleName.parse("88.999.1/x"))).isTrue();
    }
}
