"""Traguardo: the performance-cycle manager for Italian local authorities."""
