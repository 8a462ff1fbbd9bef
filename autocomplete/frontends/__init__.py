"""Front ends: the ways a person reaches the Suggester from an editor."""
