package org.idnode.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.idnode.registry.cache.CachingHandleRecordStore;
import org.idnode.registry.model.AuditEntry;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.Permissions;
import org.idnode.registry.model.RecordChange;
import org.idnode.registry.write.HandleOperation.AddValues;
import org.idnode.registry.write.HandleOperation.Create;
import org.idnode.registry.write.HandleOperation.Delete;
import org.idnode.registry.write.HandleOperation.ModifyValues;
import org.idnode.registry.write.HandleOperation.RemoveValues;
import org.idnode.registry.write.HandleWriter;
import org.idnode.registry.write.RecordValidator;
import org.idnode.registry.write.WriteOutcome;
import org.idnode.registry.write.WriteStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RocksDB store's audit log ({@code audit}), prefix listing ({@code handles}) and genealogy index
 * ({@code refs}), written through {@link HandleWriter} and the import path.
 */
class RocksDbStoreIndexesTest {
    private static final long BLOCK_CACHE = 8L << 20;
    private static final String ADMIN = "300:0.NA/88.999.1";

    @TempDir
    Path dir;

    private RocksDbHandleRecordStore rocks;
    private CachingHandleRecordStore store;
    private HandleWriter writer;

    @BeforeEach
    void open() {
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        store = new CachingHandleRecordStore(rocks, 1000);
        writer = new HandleWriter(store, RecordValidator.NONE);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void reopen() {
        store.close();
        store = null;
        rocks = RocksDbHandleRecordStore.open(dir.resolve("store"), BLOCK_CACHE);
        store = new CachingHandleRecordStore(rocks, 1000);
        writer = new HandleWriter(store, RecordValidator.NONE);
    }

    private static HandleName h(String handle) {
        return HandleName.parse(handle);
    }

    private static HandleValue url(int index, String data) {
        return HandleValue.ofString(index, "URL", data, 1_700_000_000);
    }

    private static HandleValue ref(int index, String type, String target) {
        return HandleValue.ofString(index, type, target, 1_700_000_000);
    }

    private static HandleRecord record(String handle, HandleValue... values) {
        return new HandleRecord(h(handle), List.of(values));
    }

    private void ok(WriteOutcome outcome) {
        assertThat(outcome.status()).as(outcome.message()).isEqualTo(WriteStatus.OK);
    }

    // ================================================================ audit

    @Test
    void importThroughPutAllIsAuditedAsImport() {
        long before = System.currentTimeMillis();
        store.putAll(List.of(record("88.999.1/Imp-1", url(1, "a"), url(2, "b")), record("88.999.1/imp-2")));
        long after = System.currentTimeMillis();

        List<AuditEntry> trail = store.auditTrail(h("88.999.1/imp-1"), 10);
        assertThat(trail).hasSize(1);
        AuditEntry e = trail.get(0);
        assertThat(e.actor()).isEqualTo("import");
        assertThat(e.operation()).isEqualTo("import");
        assertThat(e.handle()).isEqualTo("88.999.1/Imp-1");
        assertThat(e.detail()).isEqualTo("2 values");
        assertThat(e.timeMillis()).isBetween(before, after);

        assertThat(store.auditTrail(h("88.999.1/imp-2"), 10)).singleElement()
                .satisfies(x -> assertThat(x.detail()).isEqualTo("0 values"));
    }

    @Test
    void everyWriterOperationIsAuditedWithActorOperationHandleDetailAndTime() {
        HandleName x = h("88.999.1/Audited");
        long before = System.currentTimeMillis();
        ok(writer.apply(new Create(x, List.of(url(1, "a"), url(2, "b")), false), ADMIN));
        ok(writer.apply(new AddValues(x, List.of(url(3, "c"), url(4, "d")), false), "token:ci"));
        ok(writer.apply(new ModifyValues(x, List.of(url(2, "b2"))), ADMIN));
        ok(writer.apply(new RemoveValues(x, List.of(1, 4)), ADMIN));
        ok(writer.apply(new Create(x, List.of(url(7, "z")), true), ADMIN));
        ok(writer.apply(new Delete(x), ADMIN));
        long after = System.currentTimeMillis();

        List<AuditEntry> trail = store.auditTrail(h("88.999.1/AUDITED"), 100);
        assertThat(trail).extracting(AuditEntry::operation)
                .containsExactly("create", "add-values", "modify-values", "remove-values", "create", "delete");
        assertThat(trail).extracting(AuditEntry::actor)
                .containsExactly(ADMIN, "token:ci", ADMIN, ADMIN, ADMIN, ADMIN);
        assertThat(trail).extracting(AuditEntry::handle).containsOnly("88.999.1/Audited");
        assertThat(trail.get(0).detail()).contains("1").contains("2");
        assertThat(trail.get(1).detail()).contains("3").contains("4");
        assertThat(trail.get(2).detail()).contains("2");
        assertThat(trail.get(3).detail()).contains("1").contains("4");
        assertThat(trail.get(4).detail()).contains("7");
        assertThat(trail).allSatisfy(e -> assertThat(e.timeMillis()).isBetween(before, after));
        assertThat(trail).extracting(AuditEntry::timeMillis).isSorted();
        // the audit log outlives the handle
        assertThat(store.get(x)).isEmpty();
    }

    /**
     * One batch whose records cross every size the store's write path treats differently (small, larger than the
     * put buffers' first size, exactly the largest record encoded into them, one byte more, much larger, and small
     * again after): every record, audit entry and reference index entry comes back as written.
     */
    @Test
    void aBatchOfRecordsOfEverySizeKeepsRecordsAuditAndReferences() {
        int overhead = RecordCodec.encodedSize(sized(0, 20_000)) - 20_000; // the same for every size from 16 KiB to 2 MiB
        int[] dataSizes = {10, 5_000, 20_000, DirectBatch.MAX_DIRECT_BYTES - overhead,
                DirectBatch.MAX_DIRECT_BYTES + 1 - overhead, 300_000, 10};
        List<HandleRecord> batch = new ArrayList<>();
        for (int i = 0; i < dataSizes.length; i++) {
            batch.add(sized(i, dataSizes[i]));
        }
        assertThat(RecordCodec.encodedSize(batch.get(3))).isEqualTo(DirectBatch.MAX_DIRECT_BYTES);
        assertThat(RecordCodec.encodedSize(batch.get(4))).isEqualTo(DirectBatch.MAX_DIRECT_BYTES + 1);
        store.putAll(batch);
        reopen();

        for (int i = 0; i < dataSizes.length; i++) {
            String written = "88.999.1/Size-" + i;
            HandleRecord stored = store.get(h("88.999.1/size-" + i)).orElseThrow();
            assertThat(stored).isEqualTo(batch.get(i));
            assertThat(stored.values().get(0).data()).isEqualTo(batch.get(i).values().get(0).data());
            assertThat(store.auditTrail(h(written), 10)).singleElement()
                    .satisfies(e -> assertThat(e.handle()).isEqualTo(written));
            assertThat(store.referrerCandidates(h("88.999.1/parent-" + i), 10)).containsExactly(h(written));
        }
    }

    /** A record {@code 88.999.1/Size-<n>} with {@code dataSize} bytes of data and a reference to {@code Parent-<n>}. */
    private static HandleRecord sized(int n, int dataSize) {
        byte[] data = new byte[dataSize];
        for (int j = 0; j < data.length; j++) {
            data[j] = (byte) (j * 7 + n);
        }
        return new HandleRecord(h("88.999.1/Size-" + n), List.of(
                new HandleValue(1, "DATA", data, HandleValue.TtlType.RELATIVE, 86400, 1_700_000_000, List.of(), Permissions.PUBLIC_READ),
                ref(2, "REF.parent", "88.999.1/Parent-" + n)));
    }

    @Test
    void refusedOperationsAreNotAudited() {
        store.putAll(List.of(record("88.999.1/r", url(1, "a"))));
        writer.applyAll(List.of(
                new Create(h("88.999.1/r"), List.of(url(1, "b")), false),
                new AddValues(h("88.999.1/r"), List.of(url(1, "b")), false),
                new ModifyValues(h("88.999.1/r"), List.of(url(5, "b"))),
                new RemoveValues(h("88.999.1/r"), List.of(5)),
                new Delete(h("88.999.1/missing"))), ADMIN);

        assertThat(store.auditTrail(h("88.999.1/r"), 10)).extracting(AuditEntry::operation).containsExactly("import");
        assertThat(store.auditTrail(h("88.999.1/missing"), 10)).isEmpty();
    }

    @Test
    void storeDeleteIsAudited() {
        store.putAll(List.of(record("88.999.1/del", url(1, "a"))));
        assertThat(store.delete(h("88.999.1/DEL"))).isTrue();
        assertThat(store.delete(h("88.999.1/del"))).isFalse();

        assertThat(store.auditTrail(h("88.999.1/del"), 10)).extracting(AuditEntry::operation)
                .containsExactly("import", "delete");
    }

    @Test
    void commitWritesTheGivenAuditEntriesVerbatim() {
        AuditEntry entry = new AuditEntry(1_234_567_890_123L, "ménage", "custom-op", "88.999.1/Verbatim", "détail: ünïcödé");
        rocks.commit(List.of(RecordChange.put(record("88.999.1/Verbatim", url(1, "a")), entry)));
        assertThat(rocks.auditTrail(h("88.999.1/verbatim"), 10)).containsExactly(entry);

        AuditEntry gone = new AuditEntry(1_234_567_890_124L, "x", "delete", "88.999.1/Verbatim", null);
        rocks.commit(List.of(RecordChange.delete(h("88.999.1/Verbatim"), gone)));
        assertThat(rocks.auditTrail(h("88.999.1/verbatim"), 10)).containsExactly(entry, gone);
        assertThat(gone.detail()).isEmpty();
        assertThat(rocks.get(h("88.999.1/verbatim"))).isEmpty();
    }

    @Test
    void auditTrailsOfHandlesWhoseKeysArePrefixesOfEachOtherStayApart() {
        List<String> names = List.of("88.999.1/A", "88.999.1/AB", "88.999.1/A B", "88.999.1/A/B", "88.999.1/A.", "88.999.1/ABC");
        // interleave the writes so that the sequence numbers of the handles interleave too
        for (int round = 1; round <= 3; round++) {
            for (String name : names) {
                if (round == 1) {
                    ok(writer.apply(new Create(h(name), List.of(url(1, name)), false), "round-" + round));
                } else {
                    ok(writer.apply(new AddValues(h(name), List.of(url(round, name)), false), "round-" + round));
                }
            }
        }

        for (String name : names) {
            List<AuditEntry> trail = store.auditTrail(h(name), 100);
            assertThat(trail).as(name).extracting(AuditEntry::handle).containsOnly(name);
            assertThat(trail).as(name).extracting(AuditEntry::actor).containsExactly("round-1", "round-2", "round-3");
        }
        // the lookup is case-insensitive, like the handle itself
        assertThat(store.auditTrail(h("88.999.1/ab"), 100)).hasSize(3).extracting(AuditEntry::handle).containsOnly("88.999.1/AB");
        assertThat(store.auditTrail(h("88.999.1/AA"), 100)).isEmpty();
        assertThat(store.auditTrail(h("88.999.1/"  + "B"), 100)).isEmpty();
    }

    @Test
    void auditTrailIsOldestFirstAndLimited() {
        HandleName x = h("88.999.1/many");
        ok(writer.apply(new Create(x, List.of(), false), "actor-0"));
        for (int i = 1; i <= 5; i++) {
            ok(writer.apply(new AddValues(x, List.of(url(i, "v" + i)), false), "actor-" + i));
        }

        assertThat(store.auditTrail(x, 100)).extracting(AuditEntry::actor)
                .containsExactly("actor-0", "actor-1", "actor-2", "actor-3", "actor-4", "actor-5");
        assertThat(store.auditTrail(x, 3)).extracting(AuditEntry::actor).containsExactly("actor-0", "actor-1", "actor-2");
        assertThat(store.auditTrail(x, 0)).isEmpty();
        assertThat(store.auditTrail(h("88.999.1/unknown"), 100)).isEmpty();
    }

    @Test
    void auditSequenceKeepsIncreasingAcrossReopen() {
        HandleName a = h("88.999.1/seq-a");
        HandleName b = h("88.999.1/seq-b");
        List<String> expectedA = new ArrayList<>();
        List<String> expectedB = new ArrayList<>();
        int step = 0;
        for (int session = 0; session < 4; session++) {
            for (int i = 0; i < 3; i++) {
                String actor = "s" + session + "-" + step++;
                if (session == 0 && i == 0) {
                    ok(writer.apply(new Create(a, List.of(), false), actor));
                    ok(writer.apply(new Create(b, List.of(), false), actor));
                } else {
                    ok(writer.apply(new AddValues(a, List.of(url(step, "a")), false), actor));
                    ok(writer.apply(new AddValues(b, List.of(url(step, "b")), false), actor));
                }
                expectedA.add(actor);
                expectedB.add(actor);
            }
            if (session == 1) {
                store.putAll(List.of(record("88.999.1/seq-b", url(999, "imported"))));
                expectedB.add("import");
            }
            reopen();
            if (session == 2) {
                reopen(); // a reopen without writes in between
            }
            assertThat(store.auditTrail(a, 1000)).extracting(AuditEntry::actor).containsExactlyElementsOf(expectedA);
            assertThat(store.auditTrail(b, 1000)).extracting(AuditEntry::actor).containsExactlyElementsOf(expectedB);
        }
    }

    // ================================================================ list

    @Test
    void listReturnsExactlyTheHandlesOfThePrefixInTheirOriginalCase() {
        store.putAll(List.of(
                record("88.999.1/Zeta"), record("88.999.1/alpha"), record("88.999.1/Mid/Sub"),
                record("88.999.10/not-this"), record("88.999.1.2/derived"), record("88.999/parent"),
                record("88.999.0/before"), record("0.NA/88.999.1"), record("88.999.1x/other")));

        List<HandleName> listed = store.list("88.999.1", null, 100);
        assertThat(listed).extracting(HandleName::toString)
                .containsExactly("88.999.1/alpha", "88.999.1/Mid/Sub", "88.999.1/Zeta");

        assertThat(store.list("88.999.10", null, 100)).extracting(HandleName::toString).containsExactly("88.999.10/not-this");
        assertThat(store.list("88.999", null, 100)).extracting(HandleName::toString).containsExactly("88.999/parent");
        assertThat(store.list("0.NA", null, 100)).extracting(HandleName::toString).containsExactly("0.NA/88.999.1");
        assertThat(store.list("88.998", null, 100)).isEmpty();
        assertThat(store.list("88.999.1", null, 0)).isEmpty();
    }

    @Test
    void listMatchesThePrefixAsciiCaseInsensitively() {
        store.putAll(List.of(record("88.Test/One"), record("88.test/two"), record("88.TEST/Three"), record("88.tests/no")));

        for (String prefix : List.of("88.test", "88.TEST", "88.TeSt")) {
            assertThat(store.list(prefix, null, 100)).as(prefix).extracting(HandleName::toString)
                    .containsExactly("88.Test/One", "88.TEST/Three", "88.test/two");
        }
    }

    @Test
    void pagingWithTheLastLookupKeyWalksEveryHandleExactlyOnce() {
        List<HandleRecord> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            records.add(record("88.999.1/Item-" + i));
        }
        records.add(record("88.999.10/item-x"));
        records.add(record("88.999.1.5/item-y"));
        store.putAll(records);

        List<HandleName> all = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < 10; pages++) {
            List<HandleName> page = store.list("88.999.1", after, 100);
            pageSizes.add(page.size());
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).lookupKey();
        }

        assertThat(pageSizes).containsExactly(100, 100, 50, 0);
        assertThat(all).hasSize(250);
        assertThat(new HashSet<>(all)).hasSize(250);
        assertThat(all).extracting(HandleName::lookupKey).isSorted();
        assertThat(all).extracting(HandleName::toString).allMatch(s -> s.startsWith("88.999.1/Item-"));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            expected.add("88.999.1/Item-" + i);
        }
        assertThat(all).extracting(HandleName::toString).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void pagingContinuesAfterAKeyWhoseHandleWasDeletedMeanwhile() {
        store.putAll(List.of(record("88.999.1/a"), record("88.999.1/b"), record("88.999.1/c"), record("88.999.1/d")));
        List<HandleName> first = store.list("88.999.1", null, 2);
        assertThat(first).extracting(HandleName::toString).containsExactly("88.999.1/a", "88.999.1/b");

        ok(writer.apply(new Delete(h("88.999.1/b")), ADMIN));

        assertThat(store.list("88.999.1", first.get(1).lookupKey(), 2)).extracting(HandleName::toString)
                .containsExactly("88.999.1/c", "88.999.1/d");
        assertThat(store.list("88.999.1", h("88.999.1/d").lookupKey(), 2)).isEmpty();
    }

    @Test
    void listSeesWriterChangesAndSurvivesReopen() {
        ok(writer.apply(new Create(h("88.999.1/Written"), List.of(url(1, "a")), false), ADMIN));
        ok(writer.apply(new Create(h("88.999.1/Removed"), List.of(url(1, "a")), false), ADMIN));
        ok(writer.apply(new Delete(h("88.999.1/removed")), ADMIN));
        reopen();
        assertThat(store.list("88.999.1", null, 10)).extracting(HandleName::toString).containsExactly("88.999.1/Written");
    }

    // ================================================================ genealogy index

    @Test
    void referrerCandidatesAreTheHandlesReferencingTheTarget() {
        // reels and lots whose keys are prefixes of each other
        store.putAll(List.of(record("88.999.1/A", url(1, "reel A")), record("88.999.1/AB", url(1, "reel AB"))));
        ok(writer.apply(new Create(h("88.999.1/unit-1"), List.of(url(1, "u1"), ref(2, "REF.REEL", "88.999.1/A")), false), ADMIN));
        ok(writer.apply(new Create(h("88.999.1/unit-2"), List.of(ref(1, "REF.REEL", "88.999.1/AB")), false), ADMIN));
        ok(writer.apply(new Create(h("88.999.1/lot-1"), List.of(ref(1, "REF.CCL_LOT", "88.999.1/a"), ref(2, "REF.REEL", "88.999.1/AB")), false), ADMIN));
        ok(writer.apply(new Create(h("88.999.1/unit-3"), List.of(ref(1, "ref.reel", "88.999.1/A")), false), ADMIN));
        // a reference added later through add-values, and one from an import
        ok(writer.apply(new Create(h("88.999.1/unit-4"), List.of(url(1, "u4")), false), ADMIN));
        ok(writer.apply(new AddValues(h("88.999.1/unit-4"), List.of(ref(2, "Ref.Reel", "88.999.1/A")), false), ADMIN));
        store.putAll(List.of(record("88.999.2/imported", ref(1, "REF.CCL_LOT", "88.999.1/A"))));
        // not references: other types, or data that is not a handle
        ok(writer.apply(new Create(h("88.999.1/noise"), List.of(url(1, "88.999.1/A"), ref(2, "REF.REEL", "not a handle"),
                ref(3, "XREF.REEL", "88.999.1/A"), ref(4, "REF", "88.999.1/A")), false), ADMIN));

        assertThat(store.referrerCandidates(h("88.999.1/A"), 100)).extracting(HandleName::lookupKey)
                .containsExactlyInAnyOrder("88.999.1/UNIT-1", "88.999.1/LOT-1", "88.999.1/UNIT-3", "88.999.1/UNIT-4", "88.999.2/IMPORTED");
        assertThat(store.referrerCandidates(h("88.999.1/a"), 100))
                .containsExactlyInAnyOrderElementsOf(store.referrerCandidates(h("88.999.1/A"), 100));
        assertThat(store.referrerCandidates(h("88.999.1/AB"), 100)).extracting(HandleName::lookupKey)
                .containsExactlyInAnyOrder("88.999.1/UNIT-2", "88.999.1/LOT-1");
        assertThat(store.referrerCandidates(h("88.999.1/ABC"), 100)).isEmpty();
        assertThat(store.referrerCandidates(h("88.999.1/unit-1"), 100)).isEmpty();
        assertThat(store.referrerCandidates(h("88.999.1/A"), 2)).hasSize(2);
        assertThat(store.referrerCandidates(h("88.999.1/A"), 0)).isEmpty();

        // every candidate is confirmed by its current record
        for (HandleName c : store.referrerCandidates(h("88.999.1/A"), 100)) {
            assertThat(store.get(c).orElseThrow().referencedHandles()).as(c.toString()).contains(h("88.999.1/A"));
        }
    }

    @Test
    void aDroppedReferenceMayRemainACandidateButTheCurrentRecordNoLongerReferencesTheTarget() {
        ok(writer.apply(new Create(h("88.999.1/unit"), List.of(url(1, "u"), ref(2, "REF.REEL", "88.999.1/reel-old")), false), ADMIN));
        ok(writer.apply(new Create(h("88.999.1/lot"), List.of(ref(1, "REF.CCL_LOT", "88.999.1/reel-old")), false), ADMIN));
        assertThat(store.referrerCandidates(h("88.999.1/reel-old"), 100)).containsExactlyInAnyOrder(h("88.999.1/unit"), h("88.999.1/lot"));

        // the unit now points at another reel; the lot's reference is removed; ...
        ok(writer.apply(new ModifyValues(h("88.999.1/unit"), List.of(ref(2, "REF.REEL", "88.999.1/reel-new"))), ADMIN));
        ok(writer.apply(new RemoveValues(h("88.999.1/lot"), List.of(1)), ADMIN));

        // ... the index is not cleaned (documented): the stale candidates are ruled out by their current records
        List<HandleName> stale = store.referrerCandidates(h("88.999.1/reel-old"), 100);
        assertThat(stale).isSubsetOf(h("88.999.1/unit"), h("88.999.1/lot"));
        for (HandleName c : stale) {
            assertThat(store.get(c).orElseThrow().referencedHandles()).doesNotContain(h("88.999.1/reel-old"));
        }
        assertThat(store.get(h("88.999.1/unit")).orElseThrow().referencedHandles()).containsExactly(h("88.999.1/reel-new"));
        assertThat(store.referrerCandidates(h("88.999.1/reel-new"), 100)).containsExactly(h("88.999.1/unit"));

        // a deleted referrer may remain a candidate too; it simply no longer exists
        ok(writer.apply(new Delete(h("88.999.1/unit")), ADMIN));
        for (HandleName c : store.referrerCandidates(h("88.999.1/reel-new"), 100)) {
            assertThat(store.get(c).map(HandleRecord::referencedHandles).orElse(List.of())).doesNotContain(h("88.999.1/reel-new"));
        }
    }

    @Test
    void aReferenceIsIndexedOncePerReferrerAndSurvivesReopen() {
        ok(writer.apply(new Create(h("88.999.1/unit"),
                List.of(ref(1, "REF.REEL", "88.999.1/reel"), ref(2, "REF.CCL_LOT", "88.999.1/REEL")), false), ADMIN));
        ok(writer.apply(new AddValues(h("88.999.1/unit"), List.of(url(3, "x")), false), ADMIN));
        reopen();
        assertThat(store.referrerCandidates(h("88.999.1/Reel"), 100)).containsExactly(h("88.999.1/unit"));
    }

    @Test
    void referrerCandidatesKeepTheCaseTheReferrersWereWrittenIn() {
        ok(writer.apply(new Create(h("88.999.1/pcba-Unit-7"), List.of(ref(1, "REF.REEL", "88.999.1/reel")), false), ADMIN));
        assertThat(store.referrerCandidates(h("88.999.1/reel"), 10)).extracting(HandleName::toString)
                .containsExactly("88.999.1/pcba-Unit-7");
    }
}
