package org.idnode.registry.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.idnode.registry.store.RocksDbHandleRecordStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger on a real RocksDB store in a temporary folder, closed and reopened where durability matters. */
class FilingLedgerTest {
    private static final byte[] KEY = {1, 2, 3};
    private static final byte[] SITE_A = {10, 11};
    private static final byte[] SITE_B = {20, 21, 22};

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore store;
    private FilingLedger ledger;

    @BeforeEach
    void open() {
        store = RocksDbHandleRecordStore.open(dir.resolve("store"), 8L << 20);
        ledger = new FilingLedger(store.federationKeySpace());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() {
        store.close();
        open();
    }

    private static Filed filed(long seq, FiledFact fact) {
        return new Filed(seq, 1_700_000_000_000L + seq, 1_800_000_000_000L + seq, fact);
    }

    private static FiledFact registered(String handle) {
        return new FiledFact.Registration(handle, false, "pcb-lot@1");
    }

    @Test
    void registersSecondariesAndRefusesDuplicatesAndOverlaps() {
        ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 5));
        ledger.add(SecondaryNode.registered("88.998", KEY, SITE_B, 6));

        assertThatThrownBy(() -> ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 7)))
                .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(LedgerException.Kind.ALREADY_REGISTERED))
                .hasMessageContaining("88.999 is registered already");
        assertThatThrownBy(() -> ledger.add(SecondaryNode.registered("88.999.1", KEY, SITE_A, 7)))
                .hasMessageContaining("88.999.1 overlaps the registered secondary prefix 88.999");
        assertThatThrownBy(() -> ledger.add(SecondaryNode.registered("88", KEY, SITE_A, 7)))
                .hasMessageContaining("88 overlaps");
        // Not an overlap: 88.9990 is not derived from 88.999.
        ledger.add(SecondaryNode.registered("88.9990", KEY, SITE_A, 7));

        reopen();
        assertThat(ledger.secondaries()).extracting(SecondaryNode::prefix).containsExactly("88.998", "88.999", "88.9990");
        SecondaryNode n = ledger.secondary("88.999").orElseThrow();
        assertThat(n.publicKey()).isEqualTo(KEY);
        assertThat(n.site()).isEqualTo(SITE_A);
        assertThat(n.addedMillis()).isEqualTo(5);
        assertThat(n.appliedThrough()).isZero();
        assertThat(ledger.secondary("88.997")).isEmpty();
    }

    @Test
    void appliesFilingsOnceInOrderAndRefusesGaps() {
        ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 5));
        List<Filed> first = List.of(
                filed(1, new FiledFact.EnterprisePrefix("88.999.1", "UNDER_REVIEW", "Example PCB Co.", true)),
                filed(2, new FiledFact.EnterprisePrefix("88.999.1", "ENABLED", "Example PCB Co.", false)),
                filed(3, registered("88.999.1/LOT-1")),
                filed(4, registered("88.999.1/LOT-2")));
        FilingLedger.Appended a = ledger.append("88.999", first);
        assertThat(a.applied()).isEqualTo(4);
        assertThat(a.node().appliedThrough()).isEqualTo(4);

        // The same batch again, and a batch that overlaps it: replays change nothing, new filings are applied.
        assertThat(ledger.append("88.999", first).applied()).isZero();
        FilingLedger.Appended overlap = ledger.append("88.999", List.of(
                filed(3, registered("88.999.1/LOT-1")),
                filed(4, registered("88.999.1/LOT-2")),
                filed(5, new FiledFact.Registration("88.999.1/LOT-1", true, "")),
                filed(6, new FiledFact.RegistrationCount("88.999.2", 1000, 3))));
        assertThat(overlap.applied()).isEqualTo(2);
        assertThat(overlap.node().appliedThrough()).isEqualTo(6);

        assertThatThrownBy(() -> ledger.append("88.999", List.of(filed(8, registered("88.999.1/LOT-8")))))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LedgerException.Kind.SEQUENCE_GAP);
                    assertThat(e.expectedSequence()).isEqualTo(7);
                })
                .hasMessageContaining("expected 7, got 8");
        assertThatThrownBy(() -> ledger.append("88.999", List.of(filed(7, registered("88.999.1/A")), filed(9, registered("88.999.1/B")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consecutive");
        assertThatThrownBy(() -> ledger.append("88.998", List.of(filed(1, registered("88.998.1/A")))))
                .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(LedgerException.Kind.UNKNOWN_SECONDARY));

        reopen();
        assertThat(ledger.secondary("88.999").orElseThrow().appliedThrough()).isEqualTo(6);
        assertThat(ledger.filings("88.999", 0, 100)).extracting(Filed::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(ledger.filings("88.999", 0, 100).get(2).fact()).isEqualTo(registered("88.999.1/LOT-1"));
        assertThat(ledger.filings("88.999", 0, 100).get(2).timeMillis()).isEqualTo(1_700_000_000_003L);
        assertThat(ledger.enterprisePrefixes("88.999")).containsExactly(
                new FiledEnterprisePrefix("88.999.1", "ENABLED", "Example PCB Co.", 1, 5, 2, 1, 0, 0),
                new FiledEnterprisePrefix("88.999.2", "", "", 6, 6, 0, 0, 1000, 3));
    }

    @Test
    void pagesFilingsInSequenceOrderPastByteBoundaries() {
        ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 5));
        List<Filed> batch = new ArrayList<>();
        for (long s = 1; s <= 300; s++) {
            batch.add(filed(s, registered("88.999.1/LOT-" + s)));
        }
        ledger.append("88.999", batch);
        List<Long> seen = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Filed> page = ledger.filings("88.999", after, 70);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(f -> seen.add(f.sequence()));
            after = page.get(page.size() - 1).sequence();
        }
        assertThat(seen).hasSize(300).isSorted().startsWith(1L).endsWith(300L);
        assertThat(ledger.filings("88.999", 255, 2)).extracting(Filed::sequence).containsExactly(256L, 257L);
        assertThat(ledger.enterprisePrefix("88.999", "88.999.1").orElseThrow().registered()).isEqualTo(300);
    }

    @Test
    void aSiteFilingReplacesTheSiteAndRemovalForgetsEverything() {
        ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 5));
        ledger.add(SecondaryNode.registered("88.998", KEY, SITE_A, 5));
        ledger.append("88.999", List.of(filed(1, new FiledFact.Site(SITE_B)), filed(2, registered("88.999.1/A"))));
        ledger.append("88.998", List.of(filed(1, registered("88.998.1/A"))));
        SecondaryNode n = ledger.secondary("88.999").orElseThrow();
        assertThat(n.site()).isEqualTo(SITE_B);
        assertThat(n.siteChangedMillis()).isEqualTo(1_800_000_000_001L);

        assertThat(ledger.remove("88.999")).isTrue();
        assertThat(ledger.remove("88.999")).isFalse();
        reopen();
        assertThat(ledger.secondary("88.999")).isEmpty();
        assertThat(ledger.filings("88.999", 0, 10)).isEmpty();
        assertThat(ledger.enterprisePrefixes("88.999")).isEmpty();
        assertThat(ledger.filings("88.998", 0, 10)).hasSize(1);

        ledger.add(SecondaryNode.registered("88.999", KEY, SITE_A, 9));
        assertThat(ledger.secondary("88.999").orElseThrow().appliedThrough()).as("registered again, it starts over").isZero();
        assertThat(ledger.append("88.999", List.of(filed(1, registered("88.999.1/B")))).applied()).isEqualTo(1);
    }
}
