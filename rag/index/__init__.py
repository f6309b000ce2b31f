"""The index: the embedder, the Chroma store of chunks and manifest, the BM25 index and its tokenizer."""
