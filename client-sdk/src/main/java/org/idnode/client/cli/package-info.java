/**
 * {@code idctl}, the command line for an idnode node, built on {@link org.idnode.client.IdClient}: picocli commands
 * ({@link org.idnode.client.cli.IdctlCommand} is the entry point and the only public type), the CSV and JSON-lines
 * readers of {@code idctl import}, and the table and JSON output. See docs/idctl.md.
 */
package org.idnode.client.cli;
