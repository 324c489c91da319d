"""Merchant knowledge: loaders for each upload format, the Chroma index, hybrid retrieval."""
