package org.idnode.server.federation;

import java.security.SignatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.idnode.api.v1.EnterprisePrefixFiling;
import org.idnode.api.v1.Filing;
import org.idnode.api.v1.FilingBatch;
import org.idnode.api.v1.RegistrationCountFiling;
import org.idnode.api.v1.RegistrationFiling;
import org.idnode.registry.federation.Filed;
import org.idnode.registry.federation.FiledFact;
import org.idnode.registry.federation.FilingLedger;
import org.idnode.registry.federation.LedgerException;
import org.idnode.registry.federation.SecondaryNode;
import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.InvalidHandleException;
import org.idnode.server.admin.PrefixRecords;
import org.idnode.server.federation.FilingRefusedException.Kind;

/**
 * The top level's side of {@code federation.proto}: checks a {@link FilingBatch} and applies it to the
 * {@link FilingLedger}, exactly once and in order.
 *
 * <p>Checks, in this order (the first that fails refuses the whole batch, and nothing of it is applied):
 * <ol>
 *   <li>at most {@value #MAX_FILINGS} filings ({@link Kind#INVALID});</li>
 *   <li>a secondary node is registered for {@code secondary_prefix}, the batch is signed with the algorithm for its
 *       registered key, and the signature verifies ({@link FilingSignatures}); else {@link Kind#UNAUTHENTICATED};</li>
 *   <li>sequences start at 1 or more and are consecutive; every filing has a kind and sound fields: enterprise
 *       prefixes derived from the secondary prefix, handles and counted prefixes under it, a site info with at least
 *       one server ({@link Kind#INVALID}, naming the filing);</li>
 *   <li>the first filing above the applied sequence is the next one ({@link Kind#SEQUENCE_GAP} with the expected
 *       sequence); filings at or below it are replays, acknowledged without being applied again.</li>
 * </ol>
 * An applied site filing changes the delegation's referral at once ({@link Delegations#refresh()}).
 *
 * <p>Thread-safe; {@link #file} reads and writes the store and verifies a signature, so it runs off the event loop.
 */
public final class FilingReceiver {
    /** The most filings one batch may hold. */
    public static final int MAX_FILINGS = 1000;
    private static final int MAX_TEXT = 1024;

    private final FilingLedger ledger;
    private final Delegations delegations;
    private final LongSupplier clock;

    /**
     * @param clock the time in Unix milliseconds, recorded as each filing's receipt time
     */
    public FilingReceiver(FilingLedger ledger, Delegations delegations, LongSupplier clock) {
        this.ledger = ledger;
        this.delegations = delegations;
        this.clock = clock;
    }

    /**
     * Checks and applies a batch.
     *
     * @return the highest sequence applied for the prefix after the batch
     * @throws FilingRefusedException when it is refused (see the class comment)
     */
    public long file(FilingBatch batch) {
        if (batch.getFilingsCount() > MAX_FILINGS) {
            throw new FilingRefusedException(Kind.INVALID, "a batch holds at most " + MAX_FILINGS + " filings; this one has "
                    + batch.getFilingsCount());
        }
        SecondaryNode node = registered(batch.getSecondaryPrefix());
        try {
            FilingSignatures.verify(batch, SecondaryRegistry.publicKey(node));
        } catch (SignatureException e) {
            throw new FilingRefusedException(Kind.UNAUTHENTICATED, e.getMessage());
        }
        List<Filed> filings = filings(batch, node.prefix());
        FilingLedger.Appended appended;
        try {
            appended = ledger.append(node.prefix(), filings);
        } catch (LedgerException e) {
            if (e.kind() == LedgerException.Kind.SEQUENCE_GAP) {
                throw new FilingRefusedException(Kind.SEQUENCE_GAP, e.getMessage() + "; file again from sequence " + e.expectedSequence(),
                        e.expectedSequence(), e.expectedSequence() - 1);
            }
            throw new FilingRefusedException(Kind.UNAUTHENTICATED, e.getMessage());
        }
        if (appended.applied() > 0 && filings.stream().anyMatch(f -> f.fact() instanceof FiledFact.Site)) {
            delegations.refresh();
        }
        return appended.node().appliedThrough();
    }

    /**
     * The highest sequence applied for a secondary prefix (0 before its first filing).
     *
     * @throws FilingRefusedException {@link Kind#NOT_FOUND} when no secondary node is registered for it
     */
    public long appliedThrough(String secondaryPrefix) {
        return ledger.secondary(secondaryPrefix)
                .orElseThrow(() -> new FilingRefusedException(Kind.NOT_FOUND, "no secondary node is registered for prefix '"
                        + secondaryPrefix + "' at this top-level node"))
                .appliedThrough();
    }

    private SecondaryNode registered(String prefix) {
        if (prefix.isEmpty()) {
            throw new FilingRefusedException(Kind.UNAUTHENTICATED, "the batch names no secondary_prefix");
        }
        return ledger.secondary(prefix).orElseThrow(() -> new FilingRefusedException(Kind.UNAUTHENTICATED, "secondary prefix "
                + prefix + " is not registered at this top-level node; its operator registers it with "
                + "'idnode secondary add " + prefix + " --site HOST:PORT --pubkey FILE'"));
    }

    private List<Filed> filings(FilingBatch batch, String secondaryPrefix) {
        long now = clock.getAsLong();
        List<Filed> out = new ArrayList<>(batch.getFilingsCount());
        long previous = 0;
        for (Filing f : batch.getFilingsList()) {
            long seq = f.getSequence();
            if (seq < 1) {
                throw invalid("filing sequences start at 1; got " + Long.toUnsignedString(seq));
            }
            if (previous != 0 && seq != previous + 1) {
                throw invalid("the filings of a batch must have consecutive, ascending sequences; " + previous + " is followed by "
                        + Long.toUnsignedString(seq));
            }
            previous = seq;
            out.add(new Filed(seq, f.getTimeMillis(), now, fact(f, secondaryPrefix)));
        }
        return out;
    }

    private static FiledFact fact(Filing f, String secondaryPrefix) {
        String where = "filing " + f.getSequence() + ": ";
        switch (f.getKindCase()) {
            case ENTERPRISE_PREFIX -> {
                EnterprisePrefixFiling p = f.getEnterprisePrefix();
                checkPrefix(where, p.getPrefix(), secondaryPrefix, false);
                if (!p.getState().matches("[A-Z][A-Z_]{0,63}")) {
                    throw invalid(where + "state must be a state name such as ENABLED, got '" + p.getState() + "'");
                }
                checkText(where, "enterprise", p.getEnterprise());
                return new FiledFact.EnterprisePrefix(p.getPrefix(), p.getState(), p.getEnterprise(), p.getCreated());
            }
            case REGISTRATION -> {
                RegistrationFiling r = f.getRegistration();
                HandleName handle;
                try {
                    handle = HandleName.parse(r.getHandle());
                } catch (InvalidHandleException e) {
                    throw invalid(where + "handle '" + r.getHandle() + "' is not valid: " + e.getMessage());
                }
                if (handle.isPrefixHandle() || !HandleName.isSameOrDerivedPrefix(handle.prefix(), secondaryPrefix)) {
                    throw invalid(where + "handle " + handle + " is not under the secondary prefix " + secondaryPrefix);
                }
                checkText(where, "template", r.getTemplate());
                return new FiledFact.Registration(handle.toString(), r.getDeleted(), r.getTemplate());
            }
            case REGISTRATION_COUNT -> {
                RegistrationCountFiling c = f.getRegistrationCount();
                checkPrefix(where, c.getPrefix(), secondaryPrefix, true);
                if (c.getRegistered() < 0 || c.getDeleted() < 0) {
                    throw invalid(where + "counts above 2^63 - 1 are not accepted");
                }
                return new FiledFact.RegistrationCount(c.getPrefix(), c.getRegistered(), c.getDeleted());
            }
            case SITE -> {
                try {
                    return new FiledFact.Site(PrefixRecords.parseSiteInfo(f.getSite().getSiteInfo().toByteArray()));
                } catch (IllegalArgumentException e) {
                    throw invalid(where + "site_info: " + e.getMessage());
                }
            }
            default -> throw invalid(where + "it has no kind this top-level node knows (enterprise_prefix, registration, "
                    + "registration_count, site); nothing of the batch was applied");
        }
    }

    private static void checkPrefix(String where, String prefix, String secondaryPrefix, boolean sameAllowed) {
        try {
            HandleName.checkPrefix(prefix);
        } catch (InvalidHandleException e) {
            throw invalid(where + "prefix '" + prefix + "' is not valid: " + e.getMessage());
        }
        boolean under = HandleName.isSameOrDerivedPrefix(prefix, secondaryPrefix) && (sameAllowed || prefix.length() > secondaryPrefix.length());
        if (!under) {
            throw invalid(where + "prefix " + prefix + " is not " + (sameAllowed ? "" : "an enterprise prefix ") + "under the secondary prefix "
                    + secondaryPrefix);
        }
    }

    private static void checkText(String where, String field, String text) {
        if (text.length() > MAX_TEXT) {
            throw invalid(where + field + " is longer than " + MAX_TEXT + " characters");
        }
    }

    private static FilingRefusedException invalid(String message) {
        return new FilingRefusedException(Kind.INVALID, message);
    }
}
