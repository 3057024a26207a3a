"""Tests of Backup Access Codes."""
