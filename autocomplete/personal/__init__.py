"""What the user teaches: the personal store (SQLite, bounded), its counting, the mix with the
model, and learning from typed text and imported files."""
