// docs/io.md's reader block: what it does with each chunk.
const handle = (chunk: { rows: number }) => void chunk.rows;
