package org.idnode.server.auth;

import java.util.List;
import java.util.Optional;

import org.idnode.registry.model.HandleName;
import org.idnode.registry.model.HandleRecord;
import org.idnode.registry.model.HandleValue;
import org.idnode.registry.model.InvalidHandleException;

/**
 * Reads the records that authentication and authorisation need from this node's own store: the
 * identity handles that hold {@code HS_PUBKEY} / {@code HS_SECKEY} values and the handles of
 * {@code HS_VLIST} admin groups. Handles this node does not hold are simply absent; nothing is
 * resolved over the network.
 *
 * <p>May block (a store read); the auth classes call it only from the methods documented as
 * blocking, which the caller runs on its blocking-work executor. Implementations must be
 * thread-safe. {@code store::get} of a {@code HandleRecordStore} fits.
 */
@FunctionalInterface
public interface IdentityKeyLookup {
    /** The stored record of {@code handle}, or empty when this node does not hold it. */
    Optional<HandleRecord> find(HandleName handle);

    /**
     * The values of the handle {@code who} names (a key holder or an admin group); none when it is not a valid
     * handle or this node does not hold it.
     */
    default List<HandleValue> valuesOf(AdminIdentity who) {
        HandleName name;
        try {
            name = HandleName.parse(who.handle());
        } catch (InvalidHandleException e) {
            return List.of();
        }
        return find(name).map(HandleRecord::values).orElse(List.of());
    }
}
