package org.idnode.registry.model;

import java.util.AbstractList;

/**
 * A record's values kept in one compact encoded form and decoded on access, so that a record held in a cache keeps
 * its value data once instead of as value objects next to an encoding of them (see {@link HandleRecord#packed}).
 * Reading is dearer than from an ordinary list: {@link #get} and iteration decode, and decode again on every call.
 *
 * <p>Contract for subclasses: immutable (the size and every decoded element never change, the mutators of
 * {@link AbstractList} stay unsupported), no null elements, and thread-safe; {@link #heapBytes} is fixed.
 */
public abstract class PackedValues extends AbstractList<HandleValue> {
    /** For subclasses. */
    protected PackedValues() {
    }

    /**
     * An estimate of the heap this list keeps reachable, in bytes: its own objects and whatever it shares with the
     * record's {@link HandleRecord#derived derived value}. A cache bounded by memory weighs a record by it.
     */
    public abstract long heapBytes();

    /** The index of every value, in order, in a new array, read without decoding the values. */
    public abstract int[] indexes();
}
