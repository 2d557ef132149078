package org.idnode.client.cli;

import java.util.concurrent.Callable;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.idnode.api.v1.TraceDirection;
import org.idnode.api.v1.TraceNode;
import org.idnode.api.v1.TraceResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Print an identifier's genealogy as a tree: by default what it was made from (its REF.* values, "
                + "e.g. a PCB lot's copper-clad laminate lots), with --down what was made from it.",
            "Each branch shows the relation (the reference type) that links it to its parent; '(not on this node)' marks an "
                    + "identifier the node does not store."})
final class TraceCommand extends Base implements Callable<Integer> {
    @Parameters(paramLabel = "HANDLE", description = "the identifier to start from")
    String handle;
    @Option(names = "--down", description = "walk towards what was made from it (records that reference it)")
    boolean down;
    @Option(names = "--depth", paramLabel = "N", description = "levels to walk, 1 to 16 (default 16)")
    int depth;

    @Override
    public Integer call() {
        handle(handle);
        if (depth < 0 || depth > 16) {
            throw usage("--depth must be between 1 and 16");
        }
        TraceResponse trace = client().trace(handle, down ? TraceDirection.TRACE_DIRECTION_DOWN : TraceDirection.TRACE_DIRECTION_UP, depth);
        if (jsonOutput()) {
            JsonObject obj = new JsonObject();
            obj.addProperty("direction", down ? "down" : "up");
            obj.add("root", json(trace.getRoot()));
            obj.addProperty("truncated", trace.getTruncated());
            printJson(obj);
        } else {
            TraceNode root = trace.getRoot();
            out().println(root.getHandle() + (root.getFound() ? "" : "  (not on this node)"));
            printChildren(root, "");
            if (trace.getTruncated()) {
                out().println("(the tree was cut short by the depth or size limit)");
            }
        }
        return trace.getRoot().getFound() ? Exit.OK : Exit.NOT_FOUND;
    }

    private void printChildren(TraceNode node, String indent) {
        for (int i = 0; i < node.getChildrenCount(); i++) {
            TraceNode child = node.getChildren(i);
            boolean last = i == node.getChildrenCount() - 1;
            out().println(indent + (last ? "└── " : "├── ") + child.getHandle() + "  (" + child.getRelation()
                    + (child.getFound() ? "" : ", not on this node") + ")");
            printChildren(child, indent + (last ? "    " : "│   "));
        }
    }

    private static JsonObject json(TraceNode node) {
        JsonObject obj = new JsonObject();
        obj.addProperty("handle", node.getHandle());
        if (!node.getRelation().isEmpty()) {
            obj.addProperty("relation", node.getRelation());
        }
        obj.addProperty("found", node.getFound());
        JsonArray children = new JsonArray();
        for (TraceNode c : node.getChildrenList()) {
            children.add(json(c));
        }
        obj.add("children", children);
        return obj;
    }
}
