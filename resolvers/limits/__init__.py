"""Limits that keep one operation from asking for unbounded work: depth, aliases and a
static cost measured in one linear pass over the document, and a response budget."""
