package org.idnode.registry.federation;

/**
 * What the filings of one secondary node say about one of its enterprise prefixes: its latest state and enterprise,
 * and the registrations counted for it.
 *
 * @param prefix             the enterprise prefix (e.g. {@code 88.999.1})
 * @param state              its latest filed state ({@code ENABLED} ...); empty when only registrations were filed for it
 * @param enterprise         its latest filed enterprise name; empty when none was filed
 * @param firstSequence      the first filing about it
 * @param lastSequence       the latest filing about it
 * @param registered         identifiers filed as registered one by one (registration filings)
 * @param deleted            identifiers filed as deleted one by one
 * @param countedRegistered  the sum of the registration count filings' {@code registered}
 * @param countedDeleted     the sum of the registration count filings' {@code deleted}
 *
 * <p>Immutable.
 */
public record FiledEnterprisePrefix(String prefix, String state, String enterprise, long firstSequence, long lastSequence,
                                    long registered, long deleted, long countedRegistered, long countedDeleted) {

    static FiledEnterprisePrefix first(String prefix, long sequence) {
        return new FiledEnterprisePrefix(prefix, "", "", sequence, sequence, 0, 0, 0, 0);
    }

    /** This summary after {@code fact}, filed with {@code sequence}. */
    FiledEnterprisePrefix after(long sequence, FiledFact fact) {
        String s = state;
        String e = enterprise;
        long r = registered;
        long d = deleted;
        long cr = countedRegistered;
        long cd = countedDeleted;
        if (fact instanceof FiledFact.EnterprisePrefix p) {
            s = p.state();
            e = p.enterprise();
        } else if (fact instanceof FiledFact.Registration reg) {
            if (reg.deleted()) {
                d++;
            } else {
                r++;
            }
        } else if (fact instanceof FiledFact.RegistrationCount c) {
            cr += c.registered();
            cd += c.deleted();
        }
        return new FiledEnterprisePrefix(prefix, s, e, firstSequence, sequence, r, d, cr, cd);
    }
}
