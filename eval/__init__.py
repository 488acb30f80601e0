"""Safety evaluation of the recognizer and classifier on labeled sets (never uses pipeline/)."""
