"""Escalation: practice configuration, handoff policy, acknowledgment tracking, channels.

Imports only classifier types.
"""
