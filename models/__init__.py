"""Model provisioning from installed packages (never a hub) and trained artifacts with cards."""
