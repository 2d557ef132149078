package org.idnode.server.auth;

import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session ids and challenge ids share one space, as in CNRI's server: a challenge answer arrives with
 * the challenge's id in the envelope's sessionId field, and must never be mistaken for a live
 * session. Ids are random positive ints, so they cannot be guessed from one another.
 *
 * <p>Thread-safe.
 */
final class IdAllocator {
    private final SecureRandom random = new SecureRandom();
    private final Set<Integer> inUse = ConcurrentHashMap.newKeySet();

    /** A fresh id, positive and not in use. */
    int allocate() {
        while (true) {
            int id = random.nextInt() & 0x7fffffff;
            if (id != 0 && inUse.add(id)) {
                return id;
            }
        }
    }

    void release(int id) {
        inUse.remove(id);
    }

    int inUse() {
        return inUse.size();
    }
}
