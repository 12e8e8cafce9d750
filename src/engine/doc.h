/*
 * doc.h - rendering a tool's summary and Markdown documentation.
 */
#ifndef TX_DOC_H
#define TX_DOC_H

struct tx_tool;

/*
 * One line ending in '\n': the title, else the description's first
 * sentence, cut at 160 bytes.  malloc'd; NULL on no memory.
 */
char *tx_doc_summary(const struct tx_tool *tool);

/*
 * Markdown: heading, description, a parameter table made from the input
 * schema (nested properties as a.b, array items as a[]), the output,
 * an example call, where it runs.  malloc'd; NULL on no memory.  Reads
 * the tool's schemas: call only while no other thread can see the tool.
 */
char *tx_doc_render(const struct tx_tool *tool);

#endif
