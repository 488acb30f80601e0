"""Dashboard assets (a package so wheels ship them as package data)."""
