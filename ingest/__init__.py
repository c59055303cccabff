"""From files to chunks in the index: loaders, chunking, indexing."""
